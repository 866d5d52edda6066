// Network mode's pictures, drawn from the worker's snapshot: the network view (an SVG:
// each unit's map beside it, edges as wide as |w|, layers as blocks past MAX_EDGES), the
// data plot (the output's strength and the points) and the loss chart. Each records
// what it drew from (net.drawn, net.plotted) and carries its epoch and update.

import {
  $,
  CLASS_COLOURS,
  MAX_COLUMN,
  MAX_EDGES,
  SVG,
  diverging,
  el,
  featureLabel,
  fmt,
  mix,
  net,
  page,
} from "./network-common.js";

// What a click on a weight or bias does (network.js's select), given by setActions.
let actions = { select: () => {} };

export function setActions(given) {
  actions = given;
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
export function parameterTitle(L, j, i, layers, inputs) {
  const outputs = net.snapshot.layers[layers - 1].weights.length;
  const to = L < layers - 1 ? `layer ${L + 1} neuron ${j + 1}` : outputs === 1 ? "output" : `output ${j + 1}`;
  if (i === "b") return `b: ${to}`;
  const from = L === 0 ? featureLabel(inputs[i]) : `layer ${L} neuron ${i + 1}`;
  return `w: ${from} → ${to}`;
}

export function drawNetwork() {
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
  clickable(hit, text, () => actions.select(k), `parameter-${k}`);
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
  clickable(hit, text, () => actions.select(k), `parameter-${k}`);
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

export function drawData() {
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

// -- the loss chart: training and test loss per epoch -------------------------------------

export function drawLoss() {
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
