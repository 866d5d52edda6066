// The playground's network mode: the controls, the network view (an SVG drawn here from
// the trainer's snapshot), the data plot, the loss chart, the step report and the
// explanation of one weight's gradient. Every number shown comes from autograd_lite in
// the worker (worker.js, network_mode.py); this file draws them and sends the settings.
//
// Consistency: the status line, the network view, the data plot and the loss chart are
// all redrawn from the same worker message, and each carries that message's epoch and
// update (data-epoch, data-update), so no picture can show another update than the status.

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const FEATURE_LABELS = {
  x1: "x₁",
  x2: "x₂",
  "x1^2": "x₁²",
  "x2^2": "x₂²",
  "x1*x2": "x₁x₂",
  "sin(x1)": "sin x₁",
  "sin(x2)": "sin x₂",
};
// The data set's own noise (percent), as network_mode.py's defaults.
const NOISE = { xor: 0, moons: 10, circles: 5, spirals: 20, bumps: 10 };
// Settings that change the data or the network: a new network is built (update 0).
const BUILD_FIELDS = ["dataset", "noise", "train", "hidden", "activation", "seed"];
// Settings the trainer takes from the next update on, keeping the weights (configure).
const CONFIGURE_FIELDS = ["optimizer", "lr", "reg", "rate", "descent", "batch"];
// Settings of the page only.
const PAGE_FIELDS = ["epochs", "discretise"];
// Field -> URL key (the ids are the keys, except the features' checkboxes).
const URL_FIELDS = [...BUILD_FIELDS, ...CONFIGURE_FIELDS, ...PAGE_FIELDS];
// TensorFlow Playground's diverging scale: orange (negative, class 0), white, blue.
const ORANGE = [245, 147, 34];
const MIDDLE = [232, 234, 235];
const BLUE = [8, 119, 189];
const GREEN = [59, 138, 62];
const CLASS_COLOURS = [ORANGE, BLUE, GREEN];
// Past this many edges, or a layer wider than this, the view draws layers as blocks.
const MAX_EDGES = 160;
const MAX_COLUMN = 12;
const MOVED_SHOWN = 5; // rows of the "moved most" table, and edges highlighted
const SVG = "http://www.w3.org/2000/svg";

let page = null; // what playground.js lends: $, post, render, clearDrawing, fit, busy, ...

const net = {
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

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text) node.textContent = text;
  return node;
}

// A number for reading (6 significant digits); full precision goes in data- attributes.
function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "not finite";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e6) return String(Number(x.toPrecision(6)));
  return x.toExponential(4);
}

const percent = (x) => (x === null || x === undefined ? "n/a" : `${(100 * x).toFixed(1)}%`);

function mix(a, b, t) {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
}

// t in [-1, 1]: orange, white, blue.
function diverging(t) {
  const c = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  return c < 0 ? mix(MIDDLE, ORANGE, -c) : mix(MIDDLE, BLUE, c);
}

function featureLabel(name) {
  return FEATURE_LABELS[name] || name;
}

// -- the controls ------------------------------------------------------------------------

function features() {
  return FEATURES.filter((name) => $(`feature-${name}`).checked);
}

function batchSize() {
  const descent = $("descent").value;
  if (descent === "batch") return 0;
  if (descent === "sgd") return 1;
  return Number($("batch").value);
}

function config() {
  return {
    dataset: $("dataset").value,
    noise: Number($("noise").value),
    train_percent: Number($("train").value),
    features: features(),
    hidden: $("hidden").value,
    activation: $("activation").value,
    optimizer: $("optimizer").value,
    lr: Number($("lr").value),
    regularization: $("reg").value,
    rate: Number($("rate").value),
    batch_size: batchSize(),
    seed: Number($("seed").value),
    epochs: Number($("epochs").value),
    compile: true,
  };
}

// What configure() takes: the settings that apply from the next update.
function trainingSettings(all) {
  const { optimizer, lr, regularization, rate, batch_size } = all;
  return { optimizer, lr, regularization, rate, batch_size };
}

function labelOf(id) {
  const field = $(id);
  const label = field.closest("label");
  if (!label) return id;
  return label.dataset.name || label.firstChild.textContent.trim();
}

function showError(text) {
  $("net-error").textContent = text;
  $("net-error").hidden = !text;
}

function syncOutputs() {
  for (const id of ["noise", "train"]) {
    const text = `${$(id).value}%`;
    $(`${id}-shown`).textContent = text;
    $(id).setAttribute("aria-valuetext", text); // the slider says its value; the text beside is for the eye
  }
  const descent = $("descent").value;
  $("batch").disabled = descent !== "minibatch";
  $("batch-label").hidden = descent !== "minibatch";
  $("rate").disabled = $("reg").value === "none";
}

// -- URL state: every control, the selected parameter and example (not the weights) ------

export function readUrl(params) {
  const refused = [];
  for (const field of URL_FIELDS) {
    if (!params.has(field)) continue;
    const value = params.get(field);
    if (field === "discretise") {
      $("discretise").checked = value === "1";
      continue;
    }
    const control = $(field);
    const before = control.value;
    control.value = value;
    // A select left empty or a slider clamped did not take the link's value: say so.
    if (control.value !== value) {
      control.value = before;
      refused.push(`${labelOf(field)} "${value}" in the link is not one of its choices (${choices(control)})`);
    }
  }
  if (refused.length) {
    net.urlError = `${refused.join("; ")}: choose in the field above, or press reset to use what it shows.`;
  }
  if (params.has("features")) {
    const wanted = params.get("features").split(",").filter(Boolean);
    for (const name of FEATURES) $(`feature-${name}`).checked = wanted.includes(name);
    const unknown = wanted.filter((name) => !FEATURES.includes(name));
    if (unknown.length) {
      const text = `input features: ${unknown.join(", ")} in the link are not features; tick from ${FEATURES.join(", ")}`;
      net.urlError = net.urlError ? `${net.urlError} ${text}` : text;
    }
  }
  if (!params.has("noise")) $("noise").value = NOISE[$("dataset").value] ?? 0;
  const whole = (key) => {
    if (!params.has(key)) return null;
    const n = Number(params.get(key));
    return Number.isInteger(n) && n >= 0 ? n : -1; // -1: refused by the trainer, with its message
  };
  net.pendingSelection = { parameter: whole("param"), example: whole("example") };
  syncOutputs();
}

function choices(control) {
  if (control.tagName === "SELECT") return [...control.options].map((option) => option.value).join(", ");
  return `${control.min} to ${control.max}`;
}

export function writeUrl(params) {
  for (const field of URL_FIELDS) {
    params.set(field, field === "discretise" ? ($("discretise").checked ? "1" : "0") : $(field).value);
  }
  params.set("features", features().join(","));
  if (net.selected.parameter !== null) params.set("param", String(net.selected.parameter));
  if (net.selected.example !== null) params.set("example", String(net.selected.example));
}

// -- asking the worker ----------------------------------------------------------------------

function build(why) {
  if (!page.isReady()) return;
  const settings = config();
  const error = checkConfig(settings);
  showError(error);
  if (error) {
    setState("error");
    $("net-status").textContent = "no network: fix the setting above";
    return;
  }
  net.started = true;
  net.generation += 1;
  net.playing = false;
  net.why = why;
  setState("building");
  page.busy(true);
  $("net-status").textContent = `building the network (${why})…`;
  page.post({ type: "build", config: settings });
}

// What the page can check itself (the trainer checks everything else, and says what).
function checkConfig(settings) {
  if (net.urlError) {
    const text = net.urlError;
    net.urlError = null;
    return text;
  }
  if (!settings.features.length) return "input features: tick at least one (x₁ and x₂ are TensorFlow Playground's start)";
  if (!(Number.isInteger(settings.epochs) && settings.epochs >= 1)) return "epochs: give a whole number >= 1";
  return "";
}

function configure(field) {
  if (!net.builtConfig) {
    build(`the ${labelOf(field)} changed`);
    return;
  }
  const settings = config();
  page.post({ type: "configure", config: trainingSettings(settings) });
  net.configuring = labelOf(field);
}

function explain() {
  const { parameter, example } = net.selected;
  if (parameter === null || !net.builtConfig) return;
  net.explainId += 1;
  $("explanation").hidden = false;
  $("explain-title").textContent = "explaining…";
  page.post({ type: "explain", id: net.explainId, parameter, example });
}

// -- answers from the worker --------------------------------------------------------------

export function message(m) {
  if (m.generation !== net.generation) return; // about a network since replaced
  switch (m.kind) {
    case "building":
      $("net-status").textContent =
        `building the network (${net.why}): ${m.weights ?? "its"} weights and biases` +
        (m.compiled ? ", tracing and compiling its loss…" : "…");
      break;
    case "built":
      built(m);
      break;
    case "playing":
      net.playing = true;
      setState("playing");
      page.busy(true);
      break;
    case "progress":
      page.busy(true); // answering: the watchdog restarts its count
      update(m);
      break;
    case "paused":
      net.playing = false;
      page.busy(false);
      update(m);
      setState(m.reason === "done" ? "done" : "paused");
      if (net.selected.parameter !== null) explain();
      break;
    case "stepped":
      page.busy(false);
      update(m);
      setState("paused");
      if (net.selected.parameter !== null) explain();
      break;
    case "configured":
      configured(m);
      break;
    case "explained":
      if (m.id === net.explainId) showExplanation(m.answer);
      break;
    case "explain-step":
      explainStepArrived(m);
      break;
    case "error":
      failed(m);
      break;
  }
}

function built(m) {
  page.busy(false);
  const previous = net.parameters;
  net.builtConfig = config();
  net.lastStep = null;
  net.moved = new Set();
  net.playing = false;
  net.losses = [];
  net.testLosses = [];
  net.expanded = null;
  net.notes = m.notes || [];
  // Keep the selection when the network has the same parameters (a reset, a new seed).
  const same = previous && previous.names.join() === m.parameters.names.join();
  let { parameter, example } = same ? net.selected : { parameter: null, example: null };
  if (example !== null && example >= m.snapshot.train_points.length) example = null; // a smaller set
  if (net.pendingSelection) {
    // From the URL: asked for as it is, so a bad index gets the trainer's message.
    ({ parameter, example } = net.pendingSelection);
    net.pendingSelection = null;
  }
  net.selected = { parameter, example };
  update(m, { fresh: true });
  setState("paused");
  showStepReport();
  if (parameter !== null) {
    if (net.selected.example === null) net.selected.example = net.nextBatch[0] ?? 0;
    explain();
  } else {
    $("explanation").hidden = true;
  }
  page.writeUrl();
}

function configured(m) {
  const answer = m.answer || {};
  const field = net.configuring || "setting";
  net.configuring = null;
  if (answer.ok === false) {
    showError(answer.error);
    $("net-note").textContent = "That change was refused: the trainer keeps its last settings.";
    return;
  }
  net.nextBatch = m.next_batch;
  net.builtConfig = { ...net.builtConfig, ...trainingSettings(config()) };
  const next = (net.snapshot ? net.snapshot.update : 0) + 1;
  let text = `The ${field} changed: it applies from the next update (update ${next}); the weights are kept.`;
  if (answer.optimizer_reset) text += " The new optimizer starts with fresh state (no momentum or averages yet).";
  // The status says so, with the numbers of the update shown (its pictures are unchanged).
  if (net.snapshot) $("net-status").textContent = `${text} ${statusParts(net.snapshot)}`;
  drawData();
  if (net.selected.parameter !== null && !net.playing) explain();
}

function failed(m) {
  page.busy(false);
  net.playing = false;
  if (m.fatal) {
    page.crashed(`Python failed: ${m.error}`);
    return;
  }
  showError(m.error);
  if (m.during === "build") {
    // The old network is gone in the worker: nothing shown may still describe it.
    net.builtConfig = null;
    net.snapshot = null;
    net.parameters = null;
    clearPictures("no network: the settings were refused");
    setState("error");
    $("net-status").textContent = "no network: fix the setting above";
  } else {
    setState(net.builtConfig ? "paused" : "error");
    if (net.builtConfig) {
      $("net-note").textContent = "That change was refused: the trainer keeps its last settings.";
    }
  }
}

// One worker message: its losses, its snapshot and parameters, then every picture and
// the status from them.
function update(m, { fresh = false } = {}) {
  const s = m.snapshot;
  if (fresh) {
    net.losses = [s.loss];
    net.testLosses = [s.test_loss];
  }
  const done = m.run || (m.step && m.step.epoch_done ? m.step : null);
  if (done) addLosses(done, s);
  net.snapshot = s;
  net.parameters = m.parameters;
  net.nextBatch = m.next_batch;
  if (m.step) {
    net.lastStep = m.step;
    const moved = m.step.moved.filter((row) => row.delta !== 0).slice(0, MOVED_SHOWN);
    net.moved = new Set(moved.map((row) => row.index));
  } else if (!fresh) {
    net.lastStep = null;
    net.moved = new Set();
  }
  const epoch = s.epoch;
  const updateNumber = s.update;
  drawNetwork();
  drawData();
  drawLoss();
  showStepReport();
  showStatus(m);
  for (const target of [$("net-status"), $("network-view"), $("boundary"), $("loss-curve")]) {
    target.dataset.epoch = target.id === "loss-curve" ? String(net.losses.length - 1) : String(epoch);
    target.dataset.update = String(updateNumber);
  }
  showGraphviz(s);
}

// The losses of the epochs completed: run() and step() list those of their own epochs.
function addLosses(answer, s) {
  const train = answer.loss || [];
  const test = answer.test_loss || train.map(() => null);
  const have = net.losses.length - 1; // epochs already on the chart
  if (train.length === s.epoch) {
    net.losses = [net.losses[0], ...train];
    net.testLosses = [net.testLosses[0], ...test];
  } else if (have + train.length === s.epoch) {
    net.losses.push(...train);
    net.testLosses.push(...test);
  }
}

function setState(name) {
  document.body.dataset.network = name;
  const playing = name === "playing";
  $("play").disabled = playing || !net.builtConfig;
  $("pause").disabled = !playing;
  $("step").disabled = playing || !net.builtConfig;
  $("reset").disabled = !net.builtConfig && name !== "error";
}

function updatesPerEpoch() {
  const n = net.snapshot ? net.snapshot.train_points.length : 0;
  const size = net.builtConfig && net.builtConfig.batch_size ? net.builtConfig.batch_size : n;
  return Math.max(1, Math.ceil(n / Math.max(1, size)));
}

function descentName(size) {
  if (size === 0) return "batch gradient descent";
  if (size === 1) return "stochastic gradient descent";
  return "mini-batch gradient descent";
}

// "epoch 3, update 12 (4 per epoch); training loss …; test loss …; accuracy … (test …)"
function statusParts(s) {
  const parts = [`epoch ${s.epoch}, update ${s.update} (${updatesPerEpoch()} per epoch)`];
  parts.push(`training loss ${fmt(s.loss)}`);
  if (s.test_loss !== null && s.test_loss !== undefined) parts.push(`test loss ${fmt(s.test_loss)}`);
  if (s.kind !== "regression") {
    let accuracy = `accuracy ${percent(s.accuracy)}`;
    if (s.test_accuracy !== null && s.test_accuracy !== undefined) accuracy += ` (test ${percent(s.test_accuracy)})`;
    parts.push(accuracy);
  }
  return `${parts.join("; ")}.`;
}

function showStatus(m) {
  const s = m.snapshot;
  let lead = "";
  if (m.kind === "built") lead = `A new network (${net.why}), paused at update 0: press play or step. `;
  else if (m.kind === "paused" && m.reason === "done") lead = `Done: ${net.builtConfig.epochs} epochs (raise epochs to train on). `;
  else if (m.kind === "paused") lead = "Paused. ";
  else if (m.kind === "stepped") lead = "One update made. ";
  else if (m.kind === "progress") lead = "Training… ";
  $("net-status").textContent = `${lead}${statusParts(s)}`;
  if (m.kind === "built") {
    const notes = [...(net.notes || []), ...(s.notes || [])];
    $("net-note").textContent = [...new Set(notes)].join(" ");
  }
}

// -- the network view: an SVG from the snapshot --------------------------------------------

// snapshot.neurons per layer (a list of lists), or flat with "layer" fields.
function neuronsByLayer(s) {
  const neurons = s.neurons;
  if (neurons.length && Array.isArray(neurons[0])) return neurons;
  const layers = [];
  for (const neuron of neurons) (layers[neuron.layer] ||= []).push(neuron);
  return layers;
}

// Parameter index by (layer, neuron, input) or (layer, neuron, "b"), from the names.
function parameterIndex() {
  const index = new Map();
  const names = net.parameters ? net.parameters.names : [];
  names.forEach((name, i) => {
    const match = /layers\.(\d+)\.neurons\.(\d+)\.(?:w\.(\d+)|b)$/.exec(name);
    if (match) index.set(`${match[1]}:${match[2]}:${match[3] === undefined ? "b" : match[3]}`, i);
  });
  if (index.size === names.length) return index;
  // Otherwise named_parameters' order: per neuron its weights, then its bias.
  index.clear();
  let k = 0;
  net.snapshot.layers.forEach((layer, L) =>
    layer.weights.forEach((row, j) => {
      row.forEach((_, i) => index.set(`${L}:${j}:${i}`, k++));
      index.set(`${L}:${j}:b`, k++);
    }),
  );
  return index;
}

// How a map's values become colours: tanh is in [-1, 1], sigmoid in [0, 1], anything
// else is scaled by its largest size (said in the picture's description).
function mapScaler(values, range) {
  if (range === "tanh") return (v) => v;
  if (range === "sigmoid") return (v) => 2 * v - 1;
  let most = 0;
  for (const row of values) for (const v of row) if (Number.isFinite(v)) most = Math.max(most, Math.abs(v));
  return (v) => (most > 0 ? v / most : 0);
}

// A grid (row 0 at the bottom, ys ascending) as a PNG data URL, one pixel per cell.
function mapImage(grid, scale) {
  const n = grid.length;
  const m = grid[0].length;
  const canvas = document.createElement("canvas");
  canvas.width = m;
  canvas.height = n;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(m, n);
  grid.forEach((row, i) =>
    row.forEach((v, j) => {
      const [r, g, b] = diverging(scale(v));
      image.data.set([r, g, b, 255], 4 * ((n - 1 - i) * m + j));
    }),
  );
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

function layerRange(L, layers) {
  const last = L === layers - 1;
  if (!last) return net.builtConfig.activation;
  const s = net.snapshot;
  if (s.kind === "classification" && s.classes === 2) return "sigmoid";
  return "linear";
}

function layerName(L, layers) {
  return L === layers - 1 ? "output" : `layer ${L + 1}`;
}

// As network_mode's titles: "w: x₁ → layer 1 neuron 3", "b: output" (one output) or
// "b: output 2" (one per class).
function parameterTitle(L, j, i, layers, inputs) {
  const outputs = net.snapshot.layers[layers - 1].weights.length;
  const to = L < layers - 1 ? `layer ${L + 1} neuron ${j + 1}` : outputs === 1 ? "output" : `output ${j + 1}`;
  if (i === "b") return `b: ${to}`;
  const from = L === 0 ? featureLabel(inputs[i]) : `layer ${L} neuron ${i + 1}`;
  return `w: ${from} → ${to}`;
}

function drawNetwork() {
  const s = net.snapshot;
  const view = $("network-view");
  const layers = s.layers;
  const neurons = neuronsByLayer(s);
  const inputs = s.inputs;
  const index = parameterIndex();
  const grads = net.parameters.grads;
  const edges = layers.reduce((sum, layer) => sum + layer.weights.length * layer.weights[0].length, 0);
  const wide = layers.some((layer) => layer.weights.length > MAX_COLUMN);
  const blocks = edges > MAX_EDGES || wide;
  if (!blocks) net.expanded = null;
  // Columns: the inputs, then each layer, drawn as neurons or as a block.
  const asNeurons = (c) => c === 0 || !blocks || net.expanded === c - 1 || net.expanded === c;
  const S = 36; // a neuron's square
  const GAP = 14;
  // Edge room between columns: 120 px, less on a narrow screen (down to 56), so a phone
  // sees the network at a readable scale before it has to pan.
  const room = Math.max(200, view.clientWidth - 16);
  const neuronColumns = 1 + layers.length;
  const EDGE_ROOM = Math.max(56, Math.min(120, (room - 100 - S * neuronColumns) / Math.max(1, layers.length)));
  const BLOCK_W = 178;
  const HEAD = 34;
  const columns = [];
  const counts = [inputs.length, ...layers.map((layer) => layer.weights.length)];
  let x = 60;
  const tallest = Math.max(...counts.map((n, c) => (asNeurons(c) ? n * (S + GAP) : 150)));
  counts.forEach((n, c) => {
    const neuronsShown = asNeurons(c);
    const width = neuronsShown ? S : BLOCK_W;
    const height = neuronsShown ? n * (S + GAP) - GAP : 136;
    const top = HEAD + (tallest - height) / 2;
    columns.push({ x, width, top, n, neurons: neuronsShown });
    x += width + EDGE_ROOM;
  });
  const W = x - EDGE_ROOM + 40;
  const H = HEAD + tallest + 10;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "netview", role: "group" });
  svg.setAttribute("aria-label", "the network: click or press Enter on a weight or a bias to explain its gradient");
  const edgeLayer = el("g", { class: "edges" });
  const nodeLayer = el("g", { class: "nodes" });
  svg.append(edgeLayer, nodeLayer);
  const most = Math.max(1e-12, ...layers.flatMap((layer) => layer.weights.flat().map(Math.abs)));
  const drawn = { epoch: s.epoch, update: s.update, neuron_plane: s.neuron_plane, inputs: [], neurons: [], blocks };
  const centre = (c, k) => columns[c].top + k * (S + GAP) + S / 2;

  // Column headings (a block's or an expanded layer's heading toggles it).
  counts.forEach((n, c) => {
    const column = columns[c];
    const label = c === 0 ? "inputs" : `${layerName(c - 1, layers.length)} (${n})`;
    const heading = el("text", { x: column.x + column.width / 2, y: 16, "text-anchor": "middle", class: "heading" }, label);
    if (blocks && c > 0 && net.expanded === c - 1) {
      heading.textContent = `${label} ▴`;
      clickable(heading, `collapse ${layerName(c - 1, layers.length)}`, () => {
        net.expanded = null;
        drawNetwork();
      });
    }
    nodeLayer.append(heading);
  });

  // The inputs: each feature with its map.
  inputs.forEach((input, k) => {
    const y = centre(0, k) - S / 2;
    const g = el("g", { class: "neuron input", "data-feature": input.name });
    const scale = mapScaler(input.map, "linear");
    g.append(el("image", { href: mapImage(input.map, scale), x: columns[0].x, y, width: S, height: S, preserveAspectRatio: "none" }));
    g.append(el("rect", { x: columns[0].x, y, width: S, height: S, class: "frame" }));
    g.append(el("text", { x: columns[0].x - 6, y: y + S / 2 + 4, "text-anchor": "end", class: "feature" }, featureLabel(input.name)));
    g.append(el("title", {}, `input ${featureLabel(input.name)} over the plane`));
    nodeLayer.append(g);
    drawn.inputs.push({ name: input.name, map: input.map });
  });

  layers.forEach((layer, L) => {
    const c = L + 1;
    const column = columns[c];
    const range = layerRange(L, layers.length);
    if (!column.neurons) {
      drawBlock(nodeLayer, column, layer, L, layers.length);
      return;
    }
    const source = columns[c - 1];
    const withEdges = source.neurons;
    layer.weights.forEach((row, j) => {
      const y = centre(c, j) - S / 2;
      if (withEdges) {
        row.forEach((w, i) => {
          const k = index.get(`${L}:${j}:${i}`);
          const x0 = source.x + source.width;
          const y0 = centre(c - 1, i);
          const x1 = column.x;
          const y1 = y + S / 2;
          const d = `M${x0},${y0} C${x0 + EDGE_ROOM / 2},${y0} ${x1 - EDGE_ROOM / 2},${y1} ${x1},${y1}`;
          const title = parameterTitle(L, j, i, layers.length, inputs.map((input) => input.name));
          edge(edgeLayer, d, w, k, title, grads[k], most);
        });
      }
      const neuron = neurons[L][j];
      const g = el("g", { class: "neuron", "data-layer": L, "data-index": j });
      const scale = mapScaler(neuron.map, range);
      g.append(el("image", { href: mapImage(neuron.map, scale), x: column.x, y, width: S, height: S, preserveAspectRatio: "none" }));
      g.append(el("rect", { x: column.x, y, width: S, height: S, class: "frame" }));
      g.append(el("title", {}, `${layerName(L, layers.length)} neuron ${j + 1}: its output over the plane (${range})`));
      nodeLayer.append(g);
      drawn.neurons.push({ layer: L, index: j, map: neuron.map, range });
      bias(nodeLayer, column.x - 5, y + S - 5, layer.biases[j], index.get(`${L}:${j}:b`), parameterTitle(L, j, "b", layers.length), grads);
    });
    if (!withEdges) bundle(edgeLayer, source, column, H);
  });
  // Block columns after a block or neurons: a bundle line says the layers are connected.
  layers.forEach((_, L) => {
    const c = L + 1;
    if (!columns[c].neurons) bundle(edgeLayer, columns[c - 1], columns[c], H);
  });
  net.drawn = drawn;
  // A redraw (every snapshot while playing) keeps the keyboard's place on a weight.
  const focused = view.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  view.replaceChildren(svg);
  if (focused) {
    const again = [...svg.querySelectorAll("[data-key]")].find((node) => node.dataset.key === focused);
    if (again) again.focus({ preventScroll: true });
  }
  view.setAttribute(
    "aria-label",
    `The network ${counts.join(" → ")} (${net.builtConfig.activation}) at epoch ${s.epoch}, update ${s.update}` +
      (blocks ? `: drawn as layer blocks with their weight statistics (${edges} weights); expand one to see its neurons.` : `: ${edges} weights, each an edge you can click.`),
  );
  if (view.dataset.zoom === undefined) view.dataset.zoom = "fit";
  page.fit(view);
}

function edge(parent, d, w, k, title, grad, most) {
  const group = el("g", { class: "edge", "data-parameter": k });
  if (net.moved.has(k)) group.classList.add("moved");
  if (net.selected.parameter === k) group.classList.add("selected");
  const width = 0.6 + 5 * Math.min(1, Math.abs(w) / most);
  group.append(el("path", { d, class: "glow", "stroke-width": width + 6 }));
  group.append(el("path", { d, class: w >= 0 ? "line positive" : "line negative", "stroke-width": width }));
  const hit = el("path", { d, class: "hit", "stroke-width": 16 });
  group.append(hit);
  const text = `${title} = ${fmt(w)} (gradient ${fmt(grad)})`;
  hit.append(el("title", {}, text));
  clickable(hit, text, () => select(k), `parameter-${k}`);
  parent.append(group);
}

function bias(parent, x, y, b, k, title, grads) {
  const group = el("g", { class: "bias", "data-parameter": k });
  if (net.moved.has(k)) group.classList.add("moved");
  if (net.selected.parameter === k) group.classList.add("selected");
  group.append(el("rect", { x: x - 1, y: y - 1, width: 12, height: 12, class: "glow" }));
  group.append(el("rect", { x, y, width: 10, height: 10, class: b >= 0 ? "positive" : "negative" }));
  const hit = el("rect", { x: x - 8, y: y - 8, width: 26, height: 26, class: "hit" });
  const text = `${title} = ${fmt(b)} (gradient ${fmt(grads[k])})`;
  hit.append(el("title", {}, text));
  clickable(hit, text, () => select(k), `parameter-${k}`);
  group.append(hit);
  parent.append(group);
}

// `key` names what the node stands for, so that keyboard focus survives a redraw.
function clickable(node, label, action, key = label) {
  node.dataset.key = key;
  node.setAttribute("tabindex", "0");
  node.setAttribute("role", "button");
  node.setAttribute("aria-label", label);
  node.addEventListener("click", action);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      action();
    }
  });
}

function drawBlock(parent, column, layer, L, layers) {
  const stats = layer.stats;
  const g = el("g", { class: "block", "data-layer": L });
  for (const [name, value] of Object.entries(stats)) g.dataset[name.replace(/_(.)/g, (_, c) => c.toUpperCase())] = String(value);
  g.append(el("rect", { x: column.x, y: column.top, width: column.width, height: 136, rx: 6 }));
  const lines = [
    `${layer.weights.length} neurons × ${layer.weights[0].length} inputs`,
    `count ${stats.count}`,
    `mean ${fmt(stats.mean)}`,
    `std ${fmt(stats.std)}`,
    `min ${fmt(stats.min)}`,
    `max ${fmt(stats.max)}`,
    `mean |grad| ${fmt(stats.mean_abs_grad)}`,
  ];
  lines.forEach((line, k) =>
    g.append(el("text", { x: column.x + 8, y: column.top + 18 + k * 17, class: k ? "stat" : "stat first" }, line)),
  );
  clickable(g, `${layerName(L, layers)}: ${lines.join(", ")}. Expand to draw its neurons and edges`, () => {
    net.expanded = L;
    drawNetwork();
  });
  parent.append(g);
}

function bundle(parent, from, to) {
  const y0 = from.top + (from.neurons ? (from.n * 50 - 14) / 2 : 68);
  const y1 = to.top + (to.neurons ? (to.n * 50 - 14) / 2 : 68);
  parent.append(el("path", { d: `M${from.x + from.width},${y0} L${to.x},${y1}`, class: "bundle" }));
}

function select(parameter) {
  net.selected.parameter = parameter;
  if (net.selected.example === null) net.selected.example = net.nextBatch[0] ?? 0;
  for (const node of document.querySelectorAll("#network-view .selected")) node.classList.remove("selected");
  for (const node of document.querySelectorAll(`#network-view [data-parameter="${parameter}"]`)) node.classList.add("selected");
  $("example").value = String(net.selected.example);
  page.writeUrl();
  if (net.playing) page.post({ type: "pause" }); // explained at the weights it pauses at
  else explain();
  drawData();
}

// -- the data plot: the output over the plane, the points --------------------------------

function sized(canvas, aspect, most) {
  const room = canvas.parentElement.clientWidth - 28;
  const width = Math.max(120, Math.min(most, room));
  const ratio = window.devicePixelRatio || 1;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${width * aspect}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(width * aspect * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height: width * aspect };
}

// The colour of the output at one cell: binary (probability), 3 classes, or regression.
function outputColour(s, i, j, discrete) {
  if (s.kind === "regression") {
    const v = s.output[i][j];
    return [...diverging(discrete ? Math.sign(v) * 0.75 : v), 255];
  }
  if (s.classes === 2) {
    const p = s.output[i][j];
    return [...diverging(discrete ? (p > 0.5 ? 0.75 : -0.75) : 2 * p - 1), 255];
  }
  const label = s.output.class[i][j];
  const strength = s.output.strength[i][j];
  const [r, g, b] = CLASS_COLOURS[label % CLASS_COLOURS.length];
  // Alpha by strength: 1/classes (a tie) is white, 1 is the class colour (0.75 shown).
  const t = discrete ? 0.75 : Math.max(0, (strength - 1 / s.classes) / (1 - 1 / s.classes)) * 0.75;
  return [...mix([255, 255, 255], [r, g, b], t), 255];
}

function pointColour(s, target) {
  if (s.kind === "regression") return diverging(target);
  return CLASS_COLOURS[target % CLASS_COLOURS.length];
}

function drawData() {
  const s = net.snapshot;
  const canvas = $("boundary");
  if (!s || !canvas.parentElement.clientWidth) return;
  const { ctx, width, height } = sized(canvas, 1, 360);
  const discrete = $("discretise").checked;
  const grid = s.kind === "classification" && s.classes > 2 ? s.output.class : s.output;
  const n = grid.length;
  const m = grid[0].length;
  const cells = document.createElement("canvas");
  cells.width = m;
  cells.height = n;
  const image = cells.getContext("2d").createImageData(m, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) image.data.set(outputColour(s, i, j, discrete), 4 * ((n - 1 - i) * m + j));
  cells.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = !discrete;
  ctx.drawImage(cells, 0, 0, width, height);
  const [x0, x1, y0, y1] = s.plane.bounds;
  const px = (p) => [((p[0] - x0) / (x1 - x0)) * width, height - ((p[1] - y0) / (y1 - y0)) * height];
  ctx.lineWidth = 1;
  for (const point of s.test_points) {
    const [x, y] = px(point);
    const [r, g, b] = pointColour(s, point[2]);
    // Hollow: a ring of the class colour, edged in white and dark so it shows on any shade.
    ctx.strokeStyle = "rgba(36, 41, 47, 0.7)";
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = `rgb(${r},${g},${b})`;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  const batch = new Set(net.lastStep ? net.lastStep.batch : []);
  // A whole-set batch is not ringed (every point would be): the text says it.
  const everyPoint = batch.size === s.train_points.length;
  net.pointPixels = s.train_points.map((point) => px(point));
  s.train_points.forEach((point, k) => {
    const [x, y] = net.pointPixels[k];
    const [r, g, b] = pointColour(s, point[2]);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    // A regression target near 0 is near white: edged dark so it shows on a pale shade.
    ctx.strokeStyle = s.kind === "regression" ? "#24292f" : "#ffffff";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    if (batch.has(k) && !everyPoint) {
      ctx.strokeStyle = "#24292f";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  });
  const chosen = net.selected.example;
  if (chosen !== null && chosen >= 0 && chosen < s.train_points.length) {
    const [x, y] = net.pointPixels[chosen];
    ctx.strokeStyle = "#cf222e";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(x, y, 10, 0, 2 * Math.PI);
    ctx.stroke();
  }
  canvas.dataset.selected = chosen === null ? "" : String(chosen);
  net.plotted = { epoch: s.epoch, update: s.update, plane: s.plane, output: s.output, kind: s.kind, classes: s.classes };
  canvas.dataset.batch = [...batch].join(",");
  fillExamples(s);
  const kind =
    s.kind === "regression"
      ? "the prediction (blue positive, orange negative)"
      : s.classes === 2
        ? "the probability of class 1 (blue) against class 0 (orange)"
        : `the predicted class of ${s.classes}, paler where the network is less sure`;
  const test = s.test_points.length ? `, ${s.test_points.length} test points (hollow)` : ", no test set";
  let steps = "";
  if (everyPoint) steps = `; the last update used all ${batch.size} training points`;
  else if (batch.size) steps = `; the last update's batch (${batch.size}) ringed in black`;
  const text =
    `The output over the plane, shaded by ${kind}${discrete ? " (discretised)" : ""}: ` +
    `${s.train_points.length} training points (filled)${test}${steps}` +
    (chosen !== null && chosen >= 0 ? `; training example #${chosen} selected (red ring).` : ". Click a training point to choose the example explained.");
  $("boundary-text").textContent = text;
  canvas.setAttribute("aria-label", text);
  if (s.accuracy !== null && s.accuracy !== undefined) canvas.dataset.accuracy = s.accuracy;
}

function fillExamples(s) {
  const box = $("example");
  if (box.options.length !== s.train_points.length + 1 || box.dataset.generation !== String(net.generation)) {
    const options = [new Option("choose a training example", "")];
    s.train_points.forEach((p, k) => options.push(new Option(`#${k}: (${fmt(p[0])}, ${fmt(p[1])}) → ${fmt(p[2])}`, String(k))));
    box.replaceChildren(...options);
    box.dataset.generation = String(net.generation);
  }
  box.value = net.selected.example === null ? "" : String(net.selected.example);
}

function chooseExample(k) {
  net.selected.example = k;
  page.writeUrl();
  drawData();
  if (net.selected.parameter !== null) {
    if (net.playing) page.post({ type: "pause" });
    else explain();
  }
}

// -- the loss chart: training and test loss per epoch -------------------------------------

function drawLoss() {
  const canvas = $("loss-curve");
  if (!canvas.parentElement.clientWidth) return;
  const { ctx, width, height } = sized(canvas, 0.6, 520);
  const pad = { left: 52, right: 12, top: 26, bottom: 32 };
  ctx.clearRect(0, 0, width, height);
  ctx.font = "12px sans-serif";
  ctx.fillStyle = "#57606a";
  ctx.strokeStyle = "#d0d7de";
  ctx.lineWidth = 1;
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  ctx.strokeRect(pad.left, pad.top, w, h);
  ctx.fillText("loss", 4, pad.top - 8);
  ctx.fillText("epoch", pad.left + w / 2 - 16, height - 6);
  const train = net.losses;
  const test = net.testLosses;
  const hasTest = test.some(Number.isFinite);
  // Legend.
  const legend = [["training", "#24292f", []]];
  if (hasTest) legend.push(["test", "#e36209", [5, 3]]);
  legend.forEach(([name, colour, dash], k) => {
    const x = pad.left + w - 150 + k * 80;
    ctx.strokeStyle = colour;
    ctx.setLineDash(dash);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, pad.top - 12);
    ctx.lineTo(x + 22, pad.top - 12);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#57606a";
    ctx.fillText(name, x + 26, pad.top - 8);
  });
  const finite = [...train, ...test].filter(Number.isFinite);
  if (!finite.length) {
    describeLoss();
    return;
  }
  const top = Math.max(...finite, 1e-12);
  const last = Math.max(1, train.length - 1);
  const x = (i) => pad.left + (w * i) / last;
  const y = (v) => pad.top + h * (1 - Math.min(v, top) / top);
  ctx.fillStyle = "#57606a";
  ctx.fillText(top.toPrecision(3), 4, pad.top + 10);
  ctx.fillText("0", pad.left - 12, pad.top + h);
  ctx.fillText("0", pad.left, pad.top + h + 14);
  ctx.fillText(String(train.length - 1), pad.left + w - 20, pad.top + h + 14);
  const line = (values, colour, dash) => {
    ctx.strokeStyle = colour;
    ctx.setLineDash(dash);
    ctx.lineWidth = 2;
    ctx.beginPath();
    let drawing = false;
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        drawing = false;
        return;
      }
      if (drawing) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      drawing = true;
    });
    if (values.length === 1 && Number.isFinite(values[0])) ctx.arc(x(0), y(values[0]), 2, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(train, "#24292f", []);
  if (hasTest) line(test, "#e36209", [5, 3]);
  describeLoss();
}

function describeLoss() {
  const train = net.losses;
  const test = net.testLosses;
  let text = "no network yet";
  if (train.length) {
    const epochs = train.length - 1;
    const lastTest = test[test.length - 1];
    text =
      `After ${epochs} epoch${epochs === 1 ? "" : "s"}: training loss ${fmt(train[train.length - 1])}` +
      (test.some(Number.isFinite) ? `, test loss ${fmt(lastTest)}` : " (no test set)") +
      ` (at update 0: training ${fmt(train[0])}` +
      (Number.isFinite(test[0]) ? `, test ${fmt(test[0])}` : "") +
      "). Each is the mean loss per example over its set, without the penalty.";
  }
  $("loss-text").textContent = text;
  $("loss-curve").setAttribute("aria-label", `The loss per epoch, training and test. ${text}`);
}

// -- the last update, in detail ------------------------------------------------------------

function showStepReport() {
  const report = $("step-report");
  const step = net.lastStep;
  const table = $("moved-table");
  if (!step) {
    $("step-summary").textContent =
      "Press step to make one update and see it here: its batch, its loss before and after, the weights that moved most.";
    table.replaceChildren();
    $("moved-all").hidden = true;
    report.dataset.update = net.snapshot ? String(net.snapshot.update) : "";
    delete report.dataset.batch;
    return;
  }
  const size = step.batch.length;
  const shownBatch = step.batch.slice(0, 12).map((k) => `#${k}`).join(", ") + (size > 12 ? `, … (${size})` : "");
  $("step-summary").textContent =
    `Update ${step.update} (${step.descent}, ${size} example${size === 1 ? "" : "s"}: ${shownBatch}` +
    `${size === (net.snapshot ? net.snapshot.train_points.length : -1) ? ", every training point" : ", ringed on the plot"}). ` +
    `Batch loss ${fmt(step.loss_before)} → ${fmt(step.loss_after)}; ` +
    `training loss ${fmt(step.train_loss_before)} → ${fmt(step.train_loss_after)}.`;
  report.dataset.update = String(step.update);
  report.dataset.batch = step.batch.join(",");
  const all = report.dataset.all === "yes";
  const rows = all ? step.moved : step.moved.slice(0, MOVED_SHOWN);
  table.replaceChildren();
  const head = table.insertRow();
  for (const name of ["weight", "before", "after", "Δ", "gradient"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = name;
    head.append(th);
  }
  for (const row of rows) {
    const tr = table.insertRow();
    tr.dataset.parameter = row.index;
    const title = titleOf(row.index) || row.name;
    for (const cell of [title, fmt(row.before), fmt(row.after), fmt(row.delta), fmt(row.grad)]) tr.insertCell().textContent = cell;
  }
  $("moved-all").hidden = step.moved.length <= MOVED_SHOWN;
  $("moved-all").textContent = all ? `show the ${MOVED_SHOWN} that moved most` : `show all ${step.moved.length}`;
}

// A parameter's title as the view names it ("w: x₁ → layer 1 neuron 3").
function titleOf(k) {
  const names = net.parameters ? net.parameters.names : [];
  const match = /layers\.(\d+)\.neurons\.(\d+)\.(?:w\.(\d+)|b)$/.exec(names[k] || "");
  if (!match || !net.snapshot) return null;
  const L = Number(match[1]);
  const j = Number(match[2]);
  const i = match[3] === undefined ? "b" : Number(match[3]);
  return parameterTitle(L, j, i, net.snapshot.layers.length, net.snapshot.inputs.map((input) => input.name));
}

// -- the explanation of one parameter's gradient ----------------------------------------------

function showExplanation(answer) {
  const panel = $("explanation");
  panel.hidden = false;
  net.explanation = answer;
  if (!answer.ok) {
    $("explain-title").textContent = "cannot explain that";
    $("explain-grad").textContent = answer.error;
    delete $("explain-grad").dataset.grad;
    for (const id of ["explain-share", "explain-paths-total"]) $(id).textContent = "";
    for (const id of ["explain-ledger", "explain-paths"]) $(id).replaceChildren();
    $("explain-body").hidden = true;
    return;
  }
  $("explain-body").hidden = false;
  const p = answer.parameter;
  const e = answer.example;
  const b = answer.batch;
  const s = net.snapshot;
  panel.dataset.parameter = p.index;
  panel.dataset.example = e.index;
  panel.dataset.update = s ? String(s.update) : "";
  const title = titleOf(p.index) || p.title; // the view's names (x₁, not x1)
  $("explain-title").textContent = `${title} = ${fmt(p.value)}`;
  const point = e.point.map(fmt).join(", ");
  const sentence = $("explain-grad");
  sentence.textContent =
    `For training example #${e.index} at (${point}), target ${fmt(e.target)}, the network predicts ` +
    `${Array.isArray(e.prediction) ? e.prediction.map(fmt).join(", ") : fmt(e.prediction)} and its loss is ` +
    `L = ${fmt(answer.loss)}. Its gradient ∂L/∂${title.split(":")[0]} = ${fmt(answer.grad)} ` +
    `(at update ${s ? s.update : 0}'s weights).`;
  sentence.dataset.grad = String(answer.grad);
  const penalty = b.penalty ? ` plus the penalty's ${fmt(b.penalty)}` : "";
  const share = $("explain-share");
  share.dataset.total = String(b.total);
  share.dataset.share = b.share === null ? "" : String(b.share);
  share.textContent = b.contains
    ? `This example's share: (1/${b.size}) × ${fmt(answer.grad)} = ${fmt(b.share)} of the ${fmt(b.total)} ` +
      `the next update will use (${b.descent}: the sum of its ${b.size} examples' shares${penalty}).`
    : `This example is not in the next batch (${b.descent}, ${b.size} examples): the next update will use ` +
      `${fmt(b.total)}, the sum of its examples' shares${penalty}. Click a ringed point, or step, to see one that is.`;
  // The ledger rows along its paths, and what their node names mean.
  $("explain-names").textContent = answer.names || "";
  const ledger = answer.ledger;
  const table = $("explain-ledger");
  table.replaceChildren();
  const head = table.insertRow();
  for (const column of ["", ...ledger.columns]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column;
    head.append(th);
  }
  ledger.rows.forEach((cells, k) => {
    const tr = table.insertRow();
    const into = Boolean(ledger.into[k]);
    const summed = Boolean(ledger.accumulated[k]);
    tr.dataset.contribution = String(ledger.contributions[k]);
    tr.dataset.into = into ? "yes" : "no";
    if (into) tr.classList.add("into");
    if (summed) tr.classList.add("accumulated");
    const mark = [into ? `into ${title.split(":")[0]}` : "", summed ? "Σ" : ""].filter(Boolean).join(" ");
    tr.insertCell().textContent = mark;
    for (const cell of cells) tr.insertCell().textContent = cell;
  });
  // The paths.
  const list = $("explain-paths");
  list.replaceChildren();
  for (const path of answer.paths.listed) {
    const li = document.createElement("li");
    li.dataset.product = String(path.product);
    li.textContent = `${path.names.join(" → ")}: ${path.locals.map(fmt).join(" × ")} = ${fmt(path.product)}`;
    list.append(li);
  }
  const count = answer.paths.count;
  $("explain-paths-total").textContent =
    `Summed over its ${count} path${count === 1 ? "" : "s"}: ${fmt(answer.paths.total)}` +
    (answer.paths.listed.length < count ? ` (the first ${answer.paths.listed.length} are listed).` : ".");
  $("explain-paths-total").dataset.total = String(answer.paths.total);
  net.explainStep = 0;
  showExplainStep();
}

function showExplainStep() {
  const answer = net.explanation;
  const steps = answer && answer.ok ? answer.steps : [];
  const total = steps.length;
  $("explain-prev").disabled = net.explainStep <= 0;
  $("explain-next").disabled = net.explainStep >= total - 1;
  for (const row of $("explain-ledger").rows) row.classList.remove("current");
  if (!total) {
    $("explain-counter").textContent = "no steps";
    $("explain-caption").textContent = "";
    page.clearDrawing("explain-drawing", "no steps to draw");
    return;
  }
  const step = steps[net.explainStep];
  $("explain-counter").textContent = `step ${net.explainStep + 1} of ${total}`;
  $("explain-caption").textContent = step.caption;
  $("explain-drawing").setAttribute("aria-label", `the paths at step ${net.explainStep + 1}: ${step.caption}`);
  if (answer.drawing && answer.drawing.drawn === false) {
    page.clearDrawing("explain-drawing", "the paths are not drawn");
    $("explain-drawing").textContent = answer.drawing.note || "The paths are too big to draw; the caption and the ledger say each step.";
  } else if (step.dot) {
    const shown = net.explainStep + 1;
    page.render($("explain-drawing"), step.dot).then((ok) => {
      if (ok) $("explain-drawing").dataset.step = shown;
    });
  } else {
    page.clearDrawing("explain-drawing", `drawing step ${net.explainStep + 1}…`);
    page.post({ type: "explain-step", id: net.explainId, k: net.explainStep });
  }
}

function explainStepArrived(m) {
  const answer = net.explanation;
  if (!answer || m.id !== net.explainId || !answer.ok) return;
  if (!m.dot) {
    page.clearDrawing("explain-drawing", "this step is not drawn");
    $("explain-drawing").textContent = m.error || "This step is not drawn.";
    return;
  }
  answer.steps[m.k].dot = m.dot;
  if (m.k === net.explainStep) showExplainStep();
}

// -- the Graphviz picture (small networks), collapsed ------------------------------------------

function showGraphviz(s) {
  const note = s.network_note || "";
  $("network-note").textContent = s.network_dot ? `The Graphviz picture of epoch ${s.epoch}, update ${s.update}.` : note;
  $("network").dataset.epoch = String(s.epoch);
  $("network").dataset.update = String(s.update);
  $("network").setAttribute("aria-label", note);
  if (!$("graphviz").open) {
    net.graphvizPending = s;
    return;
  }
  net.graphvizPending = null;
  if (s.network_dot) page.render($("network"), s.network_dot);
  else page.clearDrawing("network", note);
}

function clearPictures(reason) {
  $("network-view").replaceChildren();
  $("network-view").setAttribute("aria-label", reason);
  for (const id of ["network-view", "boundary", "loss-curve", "net-status"]) {
    delete $(id).dataset.epoch;
    delete $(id).dataset.update;
  }
  const canvas = $("boundary");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  $("boundary-text").textContent = reason;
  net.losses = [];
  net.testLosses = [];
  net.lastStep = null;
  drawLoss();
  showStepReport();
  $("explanation").hidden = true;
  page.clearDrawing("network", reason);
  $("network-note").textContent = "";
}

// -- wiring ---------------------------------------------------------------------------------

export function setup(lent) {
  page = lent;
  for (const field of BUILD_FIELDS) {
    $(field).addEventListener("change", () => {
      if (field === "dataset") $("noise").value = NOISE[$("dataset").value] ?? 0;
      syncOutputs();
      page.writeUrl();
      build(`the ${labelOf(field)} changed`);
    });
  }
  for (const id of ["noise", "train"]) $(id).addEventListener("input", syncOutputs);
  // An error is about the value it names: it goes as soon as a field is edited.
  for (const field of $("net-form").querySelectorAll("input, select")) field.addEventListener("input", () => showError(""));
  for (const name of FEATURES) {
    $(`feature-${name}`).addEventListener("change", () => {
      page.writeUrl();
      build("the input features changed");
    });
  }
  for (const field of CONFIGURE_FIELDS) {
    $(field).addEventListener("change", () => {
      syncOutputs();
      showError("");
      page.writeUrl();
      configure(field);
    });
  }
  $("epochs").addEventListener("change", () => {
    page.writeUrl();
    const error = checkConfig(config());
    showError(error);
    if (!error && net.builtConfig) net.builtConfig.epochs = config().epochs;
  });
  $("discretise").addEventListener("change", () => {
    page.writeUrl();
    drawData();
  });
  $("net-form").addEventListener("submit", (event) => event.preventDefault());
  $("play").addEventListener("click", () => {
    if (!net.builtConfig) return;
    const epochs = config().epochs;
    if (!(Number.isInteger(epochs) && epochs >= 1)) {
      showError("epochs: give a whole number >= 1");
      return;
    }
    net.builtConfig.epochs = epochs;
    page.post({ type: "play", epochs });
  });
  $("pause").addEventListener("click", () => page.post({ type: "pause" }));
  $("step").addEventListener("click", () => {
    if (!net.builtConfig) return;
    $("step").disabled = true; // until the update is shown
    page.post({ type: "step" });
  });
  $("reset").addEventListener("click", () => build("reset: the same settings, from the seed"));
  $("example").addEventListener("change", () => {
    const value = $("example").value;
    chooseExample(value === "" ? null : Number(value));
  });
  $("boundary").addEventListener("click", (event) => {
    if (!net.pointPixels) return;
    const box = $("boundary").getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    let best = null;
    let nearest = Infinity;
    net.pointPixels.forEach(([px, py], k) => {
      const d = Math.hypot(px - x, py - y);
      if (d < nearest) [best, nearest] = [k, d];
    });
    if (best !== null && nearest <= 14) chooseExample(best);
  });
  $("moved-all").addEventListener("click", () => {
    const report = $("step-report");
    report.dataset.all = report.dataset.all === "yes" ? "no" : "yes";
    showStepReport();
  });
  $("explain-prev").addEventListener("click", () => {
    net.explainStep = Math.max(0, net.explainStep - 1);
    showExplainStep();
  });
  $("explain-next").addEventListener("click", () => {
    const total = net.explanation && net.explanation.ok ? net.explanation.steps.length : 0;
    net.explainStep = Math.min(total - 1, net.explainStep + 1);
    showExplainStep();
  });
  $("explain-close").addEventListener("click", () => {
    net.selected.parameter = null;
    $("explanation").hidden = true;
    for (const node of document.querySelectorAll("#network-view .selected")) node.classList.remove("selected");
    page.writeUrl();
  });
  $("graphviz").addEventListener("toggle", () => {
    if ($("graphviz").open && net.graphvizPending) showGraphviz(net.graphvizPending);
  });
  syncOutputs();
  setState("idle");
  drawLoss();
  showStepReport();
  window.playgroundNetwork = {
    parameters: () => net.parameters,
    state: () => ({
      generation: net.generation,
      epoch: net.snapshot ? net.snapshot.epoch : null,
      update: net.snapshot ? net.snapshot.update : null,
      next_batch: net.nextBatch,
      last_step: net.lastStep,
      config: net.builtConfig,
      playing: net.playing,
      selected: { ...net.selected },
      losses: net.losses,
      test_losses: net.testLosses,
    }),
    data: () =>
      net.snapshot && {
        train: net.snapshot.train_points,
        test: net.snapshot.test_points,
        kind: net.snapshot.kind,
        classes: net.snapshot.classes,
        features: net.builtConfig.features,
      },
    drawn: () => net.drawn,
    plot: () => net.plotted,
    pointPixels: () => net.pointPixels,
  };
}

// Python is ready (first load, or after a restart): build if network mode is shown.
export function ready() {
  net.generation = 0; // a new worker counts from 0
  net.playing = false;
  if (!$("mode-network").hidden) build(net.started ? "Python was restarted" : "the settings of this page");
}

// Network mode was opened.
export function shown() {
  if (page.isReady() && !net.started) build("the settings of this page");
  resize();
}

export function resize() {
  if (net.snapshot) {
    drawData();
    const view = $("network-view");
    if (view.dataset.zoom === "fit") page.fit(view);
  }
  drawLoss();
}

export function restarted() {
  net.playing = false;
  setState("idle");
}
