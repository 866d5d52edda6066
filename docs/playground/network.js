// The playground's network mode: the controls, the URL state, the worker's answers, the
// step report and the explanation of one weight's gradient. Every number shown comes
// from autograd_lite in the worker (worker.js, network_mode.py); this file sends the
// settings and shows the answers.
//
// Consistency: the status line, the network view, the data plot and the loss chart are
// all redrawn from the same worker message, and each carries that message's epoch and
// update (data-epoch, data-update), so no picture can show another update than the status.
//
// The pictures are in network-view.js; shared names and state in network-common.js.

import {
  $,
  BUILD_FIELDS,
  CONFIGURE_FIELDS,
  FEATURES,
  MOVED_SHOWN,
  NOISE,
  URL_FIELDS,
  fmt,
  lend,
  net,
  page,
  percent,
} from "./network-common.js";
import { drawData, drawLoss, drawNetwork, parameterTitle, setActions } from "./network-view.js";

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

// -- choosing what to explain: a weight or bias (in the view), a training example --------

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

function chooseExample(k) {
  net.selected.example = k;
  page.writeUrl();
  drawData();
  if (net.selected.parameter !== null) {
    if (net.playing) page.post({ type: "pause" });
    else explain();
  }
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
  lend(lent);
  setActions({ select });
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
