// Network mode's shared parts: its settings' names, colours, limits, the state every
// part reads (net), what playground.js lends (page), and small helpers. network.js
// (controls, worker answers, panels) and network-view.js (the pictures) import them.

export const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
export const FEATURE_LABELS = {
  x1: "x₁",
  x2: "x₂",
  "x1^2": "x₁²",
  "x2^2": "x₂²",
  "x1*x2": "x₁x₂",
  "sin(x1)": "sin x₁",
  "sin(x2)": "sin x₂",
};
// The data set's own noise (percent), as network_mode.py's defaults.
export const NOISE = { xor: 0, moons: 10, circles: 5, spirals: 20, bumps: 10 };
// Settings that change the data or the network: a new network is built (update 0).
export const BUILD_FIELDS = ["dataset", "noise", "train", "hidden", "activation", "seed"];
// Settings the trainer takes from the next update on, keeping the weights (configure).
export const CONFIGURE_FIELDS = ["optimizer", "lr", "reg", "rate", "descent", "batch"];
// Settings of the page only.
export const PAGE_FIELDS = ["epochs", "discretise"];
// Field -> URL key (the ids are the keys, except the features' checkboxes).
export const URL_FIELDS = [...BUILD_FIELDS, ...CONFIGURE_FIELDS, ...PAGE_FIELDS];
// TensorFlow Playground's diverging scale: orange (negative, class 0), white, blue.
export const ORANGE = [245, 147, 34];
export const MIDDLE = [232, 234, 235];
export const BLUE = [8, 119, 189];
export const GREEN = [59, 138, 62];
export const CLASS_COLOURS = [ORANGE, BLUE, GREEN];
// Past this many edges, or a layer wider than this, the view draws layers as blocks.
export const MAX_EDGES = 160;
export const MAX_COLUMN = 12;
export const MOVED_SHOWN = 5; // rows of the "moved most" table, and edges highlighted
export const SVG = "http://www.w3.org/2000/svg";


// What playground.js lends: $, post, render, clearDrawing, fit, busy, ... (see lend).
export let page = null;

export function lend(lent) {
  page = lent;
}

export const net = {
  generation: 0, // builds asked for (the worker counts the same messages)
  builtConfig: null, // the settings of the network shown
  snapshot: null,
  parameters: null,
  nextBatch: [],
  losses: [], // training loss per epoch, index 0 at update 0
  testLosses: [],
  lastStep: null, // the last step's answer, while its update is the one shown
  moved: new Set(), // parameter indices highlighted in the view
  playing: false,
  selected: { parameter: null, example: null },
  explanation: null,
  explainId: 0,
  explainStep: 0,
  expanded: null, // the layer drawn whole in block mode
  why: "", // the status line's reason for the last build
  pendingSelection: null, // from the URL, applied to the first network built
  drawn: null, // what the network view drew from (for tests and the curious)
  started: false, // a network has been asked for since Python was ready
};

// -- small helpers ------------------------------------------------------------------------

export const $ = (id) => document.getElementById(id);

export function el(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text) node.textContent = text;
  return node;
}

// A number for reading (6 significant digits); full precision goes in data- attributes.
export function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "not finite";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e6) return String(Number(x.toPrecision(6)));
  return x.toExponential(4);
}

export const percent = (x) => (x === null || x === undefined ? "n/a" : `${(100 * x).toFixed(1)}%`);

export function mix(a, b, t) {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
}

// t in [-1, 1]: orange, white, blue.
export function diverging(t) {
  const c = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  return c < 0 ? mix(MIDDLE, ORANGE, -c) : mix(MIDDLE, BLUE, c);
}

export function featureLabel(name) {
  return FEATURE_LABELS[name] || name;
}

