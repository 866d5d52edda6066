// The playground page: controls, tables, drawings and plots. All computing is
// done by autograd_lite in the Web Worker (worker.js); this file only sends it
// the text typed and the numbers chosen, and shows what comes back. Drawings
// are DOT from the package, rendered to SVG by viz-js (Graphviz on WebAssembly).

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
const vizReady = Viz.instance();

const state = {
  mode: "expression",
  expression: $("expr").value,
  values: {},
  answer: null,
  step: 0,
  requestId: 0,
  pending: false, // an analysis is being computed
  queued: false, // another one is wanted after it
  training: false,
  losses: [],
};

// -- loading indicator ------------------------------------------------------------------

const clock = setInterval(() => {
  $("loading-time").textContent = `${(performance.now() / 1000).toFixed(1)} s`;
}, 100);

function loaded(info) {
  clearInterval(clock);
  const seconds = performance.now() / 1000; // since the page was requested
  window.playgroundLoadSeconds = seconds;
  $("loading").hidden = true;
  const v = info.versions;
  $("versions").textContent =
    `autograd_lite ${v.autograd_lite} on Python ${v.python} (Pyodide ${v.pyodide}), ` +
    `Graphviz by viz-js ${v["@viz-js/viz"]}; loaded in ${seconds.toFixed(1)} s`;
  $("versions").hidden = false;
  document.body.dataset.state = "ready";
}

// -- URL state: ?mode=expression&expr=x*y%2Bsin(x)&at=x%3D2%2Cy%3D3 -------------------------

const NET_FIELDS = ["dataset", "hidden", "activation", "optimizer", "lr", "epochs", "seed"];

function readUrl() {
  const params = new URLSearchParams(location.search);
  if (params.get("mode") === "network") state.mode = "network";
  if (params.has("expr")) {
    state.expression = params.get("expr");
    $("expr").value = state.expression;
  } else {
    state.values = { x: 2, y: 3 }; // the example of the README: f = x*y + sin(x) at (2, 3)
  }
  for (const pair of (params.get("at") || "").split(",")) {
    const [name, text] = pair.split("=");
    const number = Number(text);
    if (name && text !== undefined && Number.isFinite(number)) state.values[name] = number;
  }
  for (const field of NET_FIELDS) {
    if (params.has(field)) $(field).value = params.get(field);
  }
}

function writeUrl() {
  const params = new URLSearchParams();
  params.set("mode", state.mode);
  if (state.mode === "expression") {
    params.set("expr", state.expression);
    const at = Object.entries(state.values).map(([name, value]) => `${name}=${value}`);
    if (at.length) params.set("at", at.join(","));
  } else {
    for (const field of NET_FIELDS) params.set(field, $(field).value);
  }
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

// -- modes --------------------------------------------------------------------------------

function showMode(mode) {
  state.mode = mode;
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  $("mode-expression").hidden = mode !== "expression";
  $("mode-network").hidden = mode !== "network";
  writeUrl();
}

for (const tab of document.querySelectorAll(".tabs button")) {
  tab.addEventListener("click", () => showMode(tab.dataset.mode));
}

// -- expression mode ------------------------------------------------------------------------

function format(number) {
  if (number === null || number === undefined) return "n/a (not finite)";
  return String(number); // full precision, as Python's repr prints it
}

function analyze() {
  if (state.pending) {
    state.queued = true; // slider drags: compute the latest position only
    return;
  }
  state.pending = true;
  state.queued = false;
  document.body.dataset.analyzing = "yes";
  worker.postMessage({
    type: "analyze",
    id: ++state.requestId,
    expression: state.expression,
    values: state.values,
  });
}

function fillTable(table, columns, rows, highlight) {
  table.replaceChildren();
  const head = table.insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.textContent = column;
    head.appendChild(th);
  }
  rows.forEach((cells, index) => {
    const tr = table.insertRow();
    if (highlight && highlight[index]) tr.classList.add("accumulated");
    for (const cell of cells) tr.insertCell().textContent = cell;
  });
}

function variableRow(name, value) {
  const row = document.createElement("div");
  row.className = "variable";
  row.dataset.name = name;
  const label = document.createElement("label");
  label.textContent = `${name} =`;
  const box = document.createElement("input");
  box.type = "number";
  box.step = "any";
  box.className = "value";
  box.value = value;
  box.setAttribute("aria-label", `value of ${name}`);
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "slider";
  slider.step = "0.01";
  slider.setAttribute("aria-label", `slider for ${name}`);
  const setRange = (v) => {
    const span = Math.max(5, Math.ceil(Math.abs(v)));
    slider.min = String(-span);
    slider.max = String(span);
    slider.value = String(v);
  };
  setRange(value);
  box.addEventListener("input", () => {
    const v = Number(box.value);
    if (box.value.trim() === "" || !Number.isFinite(v)) return;
    setRange(v);
    state.values[name] = v;
    writeUrl();
    analyze();
  });
  slider.addEventListener("input", () => {
    const v = Number(slider.value);
    box.value = String(v);
    state.values[name] = v;
    writeUrl();
    analyze();
  });
  label.htmlFor = box.id = `var-${name}`;
  row.append(label, box, slider);
  return row;
}

function syncVariables(names, values) {
  const box = $("variables");
  const shown = [...box.children].map((row) => row.dataset.name);
  if (shown.join() === names.join()) return;
  box.replaceChildren(...names.map((name) => variableRow(name, values[name])));
}

async function render(target, dot) {
  const viz = await vizReady;
  try {
    const svg = viz.renderSVGElement(dot);
    target.replaceChildren(svg);
    // Shrink a wide drawing to fit, but not below 55% (smaller text is unreadable):
    // past that it keeps a readable size and scrolls sideways.
    const room = target.clientWidth - 16;
    const width = svg.width.baseVal.value;
    const height = svg.height.baseVal.value;
    // The network picture is an overview: it is scaled to fit the window's height too.
    const fit = target.id === "network" ? Math.min(1, room / width, 720 / height) : room / width;
    if (fit < 1 && (target.id === "network" || fit >= 0.55)) {
      svg.setAttribute("width", `${width * fit}px`);
      svg.setAttribute("height", `${height * fit}px`);
    }
    // In the step-through, bring the node being processed into view.
    const current = svg.querySelector('[stroke="#e36209"]');
    if (current && target.scrollWidth > target.clientWidth) {
      const box = current.getBoundingClientRect();
      const frame = target.getBoundingClientRect();
      target.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
    }
  } catch (error) {
    target.textContent = `cannot draw: ${error.message || error}`;
  }
}

function showAnswer(answer) {
  // What the page shows now, for tests and for the curious (the browser's console).
  window.playgroundLast = { expression: state.expression, ok: answer.ok, values: answer.values };
  const error = $("expr-error");
  if (!answer.ok) {
    // Nothing was computed: show the parser's message, with its caret line.
    error.textContent = `${answer.error}\n${answer.pointer}`;
    error.hidden = false;
    $("results").hidden = true;
    state.answer = null;
    return;
  }
  error.hidden = true;
  state.values = { ...answer.values };
  syncVariables(answer.variables, answer.values);
  writeUrl();
  state.answer = answer;
  $("results").hidden = false;
  fillTable($("value-table"), ["f"], [[format(answer.value)]]);
  $("value-table").dataset.value = answer.value;
  fillTable(
    $("gradient-table"),
    ["variable", "∂f/∂variable"],
    answer.variables.map((name) => [name, format(answer.gradient[name])]),
  );
  for (const [index, name] of answer.variables.entries()) {
    $("gradient-table").rows[index + 1].dataset.name = name;
    $("gradient-table").rows[index + 1].dataset.grad = answer.gradient[name];
  }
  if (answer.hessian) {
    fillTable(
      $("hessian-table"),
      ["", ...answer.variables],
      answer.hessian.map((row, i) => [answer.variables[i], ...row.map(format)]),
    );
  } else {
    $("hessian-table").replaceChildren();
  }
  $("hessian-note").textContent = answer.hessian_error || (answer.variables.length ? "" : "no variables");
  fillTable($("ledger"), answer.ledger.columns, answer.ledger.rows, answer.ledger.accumulated);
  fillTable($("forward"), answer.forward.columns, answer.forward.rows);
  if (answer.draw_error) {
    $("drawing").textContent = answer.draw_error;
  } else {
    render($("drawing"), answer.dot);
  }
  state.step = Math.min(state.step, Math.max(0, answer.steps.length - 1));
  showStep();
}

function showStep() {
  const answer = state.answer;
  const total = answer ? answer.steps.length : 0;
  $("prev").disabled = state.step <= 0;
  $("next").disabled = state.step >= total - 1;
  for (const row of $("ledger").rows) row.classList.remove("current");
  if (!total) {
    $("step-counter").textContent = "no backward steps (f is a leaf or a constant)";
    $("step-caption").textContent = "";
    $("step-drawing").replaceChildren();
    delete $("step-drawing").dataset.step;
    return;
  }
  const step = answer.steps[state.step];
  $("step-counter").textContent = `step ${state.step + 1} of ${total}`;
  $("step-counter").dataset.step = state.step + 1;
  $("step-caption").textContent = step.caption;
  $("ledger").rows[state.step + 1].classList.add("current");
  // The drawing says which step it shows once it is on the page (renders finish
  // in the order they were asked for, so the last one wins).
  const shown = state.step + 1;
  render($("step-drawing"), step.dot).then(() => {
    $("step-drawing").dataset.step = shown;
  });
}

$("prev").addEventListener("click", () => {
  state.step = Math.max(0, state.step - 1);
  showStep();
});
$("next").addEventListener("click", () => {
  state.step = Math.min(state.answer.steps.length - 1, state.step + 1);
  showStep();
});

let typing = null;
$("expr").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    state.expression = $("expr").value;
    state.step = 0;
    writeUrl();
    analyze();
  }, 200);
});

$("share").addEventListener("click", async () => {
  writeUrl();
  try {
    await navigator.clipboard.writeText(location.href);
    $("share").textContent = "link copied";
  } catch {
    $("share").textContent = "copy it from the address bar";
  }
  setTimeout(() => ($("share").textContent = "copy link"), 2000);
});

// -- network mode ------------------------------------------------------------------------------

const CLASS_COLOURS = [
  [79, 127, 192],
  [227, 98, 9],
  [59, 138, 62],
];

function drawLoss(losses) {
  const canvas = $("loss-curve");
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const pad = { left: 48, right: 10, top: 10, bottom: 28 };
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#57606a";
  ctx.strokeStyle = "#d0d7de";
  ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  if (!losses.length) return;
  const finite = losses.filter(Number.isFinite);
  const top = Math.max(...finite, 1e-12);
  const x = (i) => pad.left + ((width - pad.left - pad.right) * i) / Math.max(1, losses.length - 1);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / top);
  ctx.fillText(top.toPrecision(3), 4, pad.top + 8);
  ctx.fillText("0", 36, height - pad.bottom);
  ctx.fillText(`epoch ${losses.length}`, width - 80, height - 8);
  ctx.strokeStyle = "#b3261e";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  losses.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
}

function drawBoundary(boundary) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const n = boundary.grid.length;
  const [x0, x1, y0, y1] = boundary.bounds;
  // One pixel per grid cell (row 0 is the bottom), then scaled up smoothly.
  const cells = new OffscreenCanvas(n, n);
  const image = cells.getContext("2d").createImageData(n, n);
  boundary.grid.forEach((row, i) =>
    row.forEach((label, j) => {
      const [r, g, b] = CLASS_COLOURS[label % CLASS_COLOURS.length];
      const k = 4 * ((n - 1 - i) * n + j);
      image.data.set([255 - (255 - r) * 0.3, 255 - (255 - g) * 0.3, 255 - (255 - b) * 0.3, 255], k);
    }),
  );
  cells.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cells, 0, 0, width, height);
  for (const [x, y, label] of boundary.points) {
    const [r, g, b] = CLASS_COLOURS[label % CLASS_COLOURS.length];
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.strokeStyle = "#24292f";
    ctx.beginPath();
    ctx.arc(((x - x0) / (x1 - x0)) * width, height - ((y - y0) / (y1 - y0)) * height, 4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

function netConfig() {
  return {
    dataset: $("dataset").value,
    hidden: $("hidden").value,
    activation: $("activation").value,
    optimizer: $("optimizer").value,
    lr: Number($("lr").value),
    epochs: Math.round(Number($("epochs").value)),
    seed: Math.round(Number($("seed").value)),
  };
}

function setTraining(on) {
  state.training = on;
  $("train").disabled = on;
  $("stop").disabled = !on;
  document.body.dataset.training = on ? "running" : "idle";
}

$("net-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const config = netConfig();
  if (!(config.epochs >= 1)) {
    $("net-error").textContent = "epochs: give a whole number >= 1";
    $("net-error").hidden = false;
    return;
  }
  $("net-error").hidden = true;
  state.losses = [];
  state.trainStarted = performance.now();
  drawLoss([]);
  writeUrl();
  setTraining(true);
  $("net-status").textContent = "building the network…";
  worker.postMessage({ type: "train", config });
});

$("stop").addEventListener("click", () => worker.postMessage({ type: "stop" }));
for (const field of NET_FIELDS) $(field).addEventListener("change", writeUrl);

// A loss that overflowed arrives as null (JSON has no inf or nan).
const lossText = (loss) => (Number.isFinite(loss) ? loss.toPrecision(4) : "not finite (lower the learning rate)");

function showProgress(message) {
  state.losses.push(...message.loss);
  drawLoss(state.losses);
  if (message.boundary) {
    drawBoundary(message.boundary);
    $("boundary").dataset.accuracy = message.boundary.accuracy;
  }
  if (message.network) render($("network"), message.network);
  const last = lossText(state.losses[state.losses.length - 1]);
  const how = message.compiled ? "compiled" : "dynamic engine";
  $("net-status").textContent =
    message.epoch === 0
      ? "training…"
      : `epoch ${message.epoch}: loss ${last}, accuracy ${(100 * message.accuracy).toFixed(1)}% (${how})`;
}

// -- messages from the worker ---------------------------------------------------------------

worker.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "status":
      $("loading-text").textContent = message.text;
      break;
    case "ready":
      loaded(message);
      analyze();
      break;
    case "failed":
      clearInterval(clock);
      $("loading-text").textContent = `could not start the playground: ${message.error}`;
      $("loading").classList.add("error");
      document.body.dataset.state = "failed";
      break;
    case "analysis":
      state.pending = false;
      if (state.queued) {
        analyze();
      } else {
        showAnswer(message.answer);
        document.body.dataset.analyzing = "no";
      }
      break;
    case "progress":
      showProgress(message);
      break;
    case "trained": {
      setTraining(false);
      const accuracy = message.boundary.accuracy;
      drawBoundary(message.boundary);
      render($("network"), message.network);
      $("boundary").dataset.accuracy = accuracy;
      const wall = (performance.now() - state.trainStarted) / 1000;
      const losses = state.losses;
      const lastLoss = losses.length ? lossText(losses[losses.length - 1]) : "not measured";
      $("net-status").textContent =
        `${message.stopped ? "stopped" : "done"} after ${message.epoch} epochs: accuracy ` +
        `${(100 * accuracy).toFixed(1)}%, loss ${lastLoss}; ` +
        `${message.seconds.toFixed(2)} s training (${message.compiled ? "compiled" : "dynamic engine"}), ` +
        `${wall.toFixed(2)} s with drawing`;
      document.body.dataset.training = message.stopped ? "stopped" : "done";
      break;
    }
    case "train-error":
      setTraining(false);
      $("net-error").textContent = message.error;
      $("net-error").hidden = false;
      $("net-status").textContent = "";
      break;
  }
};

readUrl();
showMode(state.mode);
drawLoss([]);
