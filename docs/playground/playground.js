// The playground page: controls, tables, drawings and plots. All computing is
// done by autograd_lite in a Web Worker (worker.js); this file only sends it the
// text typed and the numbers chosen, and shows what comes back. Drawings are DOT
// from the package, laid out by Graphviz (viz-js) in a second worker
// (viz-worker.js), each with a time limit, so no drawing can freeze the page.
//
// What the page shows is always the answer to what the fields say now: a new
// answer replaces every part of the old one (errors included), a settings change
// in network mode builds a new network or applies from the next update (network.js),
// and a drawing that arrives after a newer one was asked for is dropped.

import * as network from "./network.js";

const $ = (id) => document.getElementById(id);
const started = performance.now();

// -- the Python worker: started first, restarted from the page if anything goes wrong ----

let worker = null;
let workerGeneration = 0;

function startWorker() {
  const generation = ++workerGeneration;
  worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event) => {
    if (generation === workerGeneration) fromWorker(event.data);
  };
  worker.onerror = (event) => {
    if (generation !== workerGeneration) return;
    event.preventDefault();
    crashed(`the Python worker stopped: ${event.message || "an error with no message"}`);
  };
}

startWorker(); // before anything else: loading Python is most of the wait

const state = {
  mode: "expression",
  expression: $("expr").value,
  values: {},
  answer: null,
  answerId: 0,
  step: 0,
  requestId: 0,
  pending: false, // an analysis is being computed
  queued: false, // another one is wanted after it
  radius: null, // "draw more": the neighbourhood asked for
  ready: false,
  busySince: null,
  answered: false,
};

// -- loading indicator, busy watchdog ---------------------------------------------------------

let clock = setInterval(tick, 100);

function tick() {
  $("loading-time").textContent = `${((performance.now() - loadingSince) / 1000).toFixed(1)} s`;
}
let loadingSince = 0;

function loaded(info) {
  clearInterval(clock);
  const seconds = performance.now() / 1000; // since the page was requested
  window.playgroundLoadSeconds = seconds;
  window.playgroundTimings = { ...info.timings, "worker ready": +info.seconds.toFixed(3) };
  $("loading").hidden = true;
  const v = info.versions;
  $("versions").textContent =
    `autograd_lite ${v.autograd_lite} on Python ${v.python} (Pyodide ${v.pyodide}), ` +
    `Graphviz by viz-js ${v["@viz-js/viz"]}; loaded in ${seconds.toFixed(1)} s`;
  $("versions").hidden = false;
  document.body.dataset.state = "ready";
  state.ready = true;
}

// Past this many seconds of computing, the page offers to restart Python. A guard for the
// learner, not a limit on the work: the answer still arrives if they wait.
const BUSY_SECONDS = 6;

setInterval(() => {
  if (state.busySince === null) return;
  const seconds = (performance.now() - state.busySince) / 1000;
  if (seconds > BUSY_SECONDS) {
    $("busy-text").textContent = `Python has been computing for ${seconds.toFixed(0)} s.`;
    $("busy").hidden = false;
  }
}, 1000);

function busy(on) {
  state.busySince = on ? performance.now() : null;
  if (!on && !$("busy").dataset.error) $("busy").hidden = true;
}

function restart(reason) {
  worker.terminate();
  state.ready = false;
  state.pending = false;
  state.queued = false;
  busy(false);
  network.restarted();
  document.body.dataset.state = "loading";
  document.body.dataset.restarts = String(Number(document.body.dataset.restarts || 0) + 1);
  $("loading").hidden = false;
  $("loading").classList.remove("error");
  $("loading-text").textContent = `restarting Python (${reason})…`;
  loadingSince = performance.now();
  clearInterval(clock);
  clock = setInterval(tick, 100);
  startWorker();
}

// Pyodide failed for good (or the worker died): say so, and start a new one.
function crashed(message) {
  state.crashedOn = state.expression; // not asked again by itself: it may be what crashed
  $("busy-text").textContent = `${message}. Python was restarted; the page keeps what you typed.`;
  $("busy").dataset.error = "yes";
  $("busy").hidden = false;
  restart("after an error");
}

$("restart").addEventListener("click", () => {
  delete $("busy").dataset.error;
  $("busy").hidden = true;
  restart("asked from the page");
});

// -- drawings: Graphviz in its own worker, each drawing with a time limit ---------------------

const drawings = {
  worker: null,
  next: 0,
  running: null, // {id, target, resolve, timer}
  waiting: new Map(), // target id -> the latest request for it
  latest: new Map(), // target id -> the id of the newest request (older results are dropped)
};

function vizWorker() {
  if (!drawings.worker) {
    drawings.worker = new Worker(new URL("viz-worker.js", import.meta.url));
    drawings.worker.onmessage = (event) => finishDrawing(event.data);
    drawings.worker.onerror = (event) => {
      event.preventDefault();
      finishDrawing({ id: drawings.running && drawings.running.id, error: event.message || "Graphviz failed" });
    };
  }
  return drawings.worker;
}

// Lay out `dot` and show it in `target`; resolves with true once shown (false if not).
function render(target, dot, { seconds = 10, onTooSlow = null } = {}) {
  const id = ++drawings.next;
  drawings.latest.set(target.id, id);
  return new Promise((resolve) => {
    const older = drawings.waiting.get(target.id);
    if (older) older.resolve(false); // superseded before it started
    drawings.waiting.set(target.id, { id, target, dot, seconds, onTooSlow, resolve });
    pump();
  });
}

function pump() {
  if (drawings.running || !drawings.waiting.size) return;
  const [key, job] = drawings.waiting.entries().next().value;
  drawings.waiting.delete(key);
  job.timer = setTimeout(() => tooSlow(job), job.seconds * 1000);
  drawings.running = job;
  vizWorker().postMessage({ id: job.id, dot: job.dot });
}

function tooSlow(job) {
  // Graphviz cannot be interrupted: end its worker; the next drawing starts a new one.
  drawings.worker.terminate();
  drawings.worker = null;
  drawings.running = null;
  if (drawings.latest.get(job.target.id) === job.id) {
    job.target.replaceChildren();
    job.target.setAttribute("aria-label", "not drawn: Graphviz took too long");
    const note = document.createElement("p");
    note.className = "help";
    note.textContent =
      `Not drawn: Graphviz was still laying this graph out after ${job.seconds} s, so it ` +
      "was stopped. The numbers and the ledger are complete.";
    job.target.append(note);
    if (job.onTooSlow) job.onTooSlow();
  }
  job.resolve(false);
  pump();
}

function finishDrawing(message) {
  const job = drawings.running;
  if (!job || job.id !== message.id) return;
  clearTimeout(job.timer);
  drawings.running = null;
  const current = drawings.latest.get(job.target.id) === job.id;
  if (current && message.svg) {
    const holder = document.createElement("div");
    holder.innerHTML = message.svg; // SVG from Graphviz; every label was escaped by viz.py
    const svg = holder.querySelector("svg");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("aria-hidden", "true"); // the container's label says what it shows
    job.target.replaceChildren(svg);
    job.target.dataset.zoom = "fit";
    fit(job.target);
  } else if (current) {
    job.target.textContent = `cannot draw: ${message.error}`;
  }
  job.resolve(current && Boolean(message.svg));
  pump();
}

// Zoom: "fit" shrinks a drawing to the box's width, but not below a readable 55%;
// past that it keeps its size and pans (drag it, or scroll). + and − zoom from there.
function natural(svg) {
  const box = svg.viewBox.baseVal;
  return { width: box.width, height: box.height };
}

function fit(target) {
  const svg = target.querySelector("svg");
  if (!svg) return;
  const { width, height } = natural(svg);
  const room = Math.max(100, target.clientWidth - 16);
  let scale = Number(target.dataset.scale || 1);
  if (target.dataset.zoom === "fit") {
    // The network picture is an overview: it is scaled to fit the window's height too.
    const overview = target.id === "network" || target.id === "network-view";
    // A weight's paths are read step by step, so they are not shrunk as far: they pan.
    const floor = target.id === "explain-drawing" ? 0.8 : 0.55;
    scale = overview ? Math.min(1, room / width, 720 / height) : Math.min(1, Math.max(floor, room / width));
    target.dataset.scale = String(scale);
  }
  svg.style.width = `${width * scale}px`;
  svg.style.height = `${height * scale}px`;
  // In the step-through, bring the node being processed into view.
  const current = svg.querySelector('[stroke="#e36209"]');
  if (current) {
    const box = current.getBoundingClientRect();
    const frame = target.getBoundingClientRect();
    if (target.scrollWidth > target.clientWidth) {
      target.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
    }
    if (target.scrollHeight > target.clientHeight) {
      // A drawing laid out top to bottom (the paths of a weight) scrolls down to it.
      target.scrollTop += box.top + box.height / 2 - (frame.top + frame.height / 2);
    }
  }
}

for (const group of document.querySelectorAll(".zoom")) {
  const target = $(group.dataset.for);
  for (const button of group.querySelectorAll("button[data-zoom]")) {
    button.addEventListener("click", () => {
      const how = button.dataset.zoom;
      const scale = Number(target.dataset.scale || 1);
      target.dataset.zoom = how === "fit" ? "fit" : "manual";
      if (how !== "fit") target.dataset.scale = String(Math.min(4, Math.max(0.1, scale * (how === "in" ? 1.25 : 0.8))));
      fit(target);
    });
  }
}

// Drag to pan with a mouse (touch screens pan by scrolling the box).
for (const target of document.querySelectorAll(".drawing")) {
  let from = null;
  target.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "mouse") return;
    from = { x: event.clientX, y: event.clientY, left: target.scrollLeft, top: target.scrollTop };
  });
  target.addEventListener("pointermove", (event) => {
    if (!from) return;
    target.scrollLeft = from.left - (event.clientX - from.x);
    target.scrollTop = from.top - (event.clientY - from.y);
  });
  for (const end of ["pointerup", "pointerleave"]) target.addEventListener(end, () => (from = null));
}

new ResizeObserver(() => {
  for (const target of document.querySelectorAll(".drawing")) if (target.dataset.zoom === "fit") fit(target);
  network.resize();
}).observe(document.querySelector("main"));

// -- URL state: ?mode=expression&expr=x*y%2Bsin(x)&at=x%3D2%2Cy%3D3 -------------------------
// (network mode's settings and selection: network.js's readUrl and writeUrl)

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
  network.readUrl(params);
}

function writeUrl() {
  const params = new URLSearchParams();
  params.set("mode", state.mode);
  if (state.mode === "expression") {
    params.set("expr", state.expression);
    const at = Object.entries(state.values).map(([name, value]) => `${name}=${value}`);
    if (at.length) params.set("at", at.join(","));
  } else {
    network.writeUrl(params);
  }
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

// -- modes: ARIA tabs (click, or the arrow keys, Home and End on a tab) -------------------------

const TABS = [...document.querySelectorAll('[role="tab"]')];

function showMode(mode) {
  state.mode = mode;
  for (const tab of TABS) {
    const selected = tab.dataset.mode === mode;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  $("mode-expression").hidden = mode !== "expression";
  $("mode-network").hidden = mode !== "network";
  writeUrl();
  if (mode === "network") {
    network.shown();
  } else if (state.answer) {
    for (const id of ["drawing", "step-drawing"]) fit($(id));
  }
}

TABS.forEach((tab, index) => {
  tab.addEventListener("click", () => showMode(tab.dataset.mode));
  tab.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = TABS[(moves[event.key] + TABS.length) % TABS.length];
    showMode(next.dataset.mode);
    next.focus();
  });
});

// -- expression mode ------------------------------------------------------------------------

function analyze() {
  if (!state.ready) return; // asked again once Python is ready
  if (state.pending) {
    state.queued = true; // slider drags: compute the latest position only
    return;
  }
  state.pending = true;
  state.queued = false;
  document.body.dataset.analyzing = "yes";
  busy(true);
  worker.postMessage({
    type: "analyze",
    id: ++state.requestId,
    expression: state.expression,
    values: state.values,
    radius: state.radius,
  });
}

function fillTable(table, columns, rows, highlight) {
  table.replaceChildren();
  const head = table.insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.scope = "col";
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
  box.replaceChildren(...names.map((name) => variableRow(name, values[name] ?? 1)));
}

function clearDrawing(id, label) {
  const target = $(id);
  drawings.latest.set(id, ++drawings.next); // a drawing still on its way is dropped
  target.replaceChildren();
  target.setAttribute("aria-label", label);
}

function showAnswer(answer, id) {
  // What the page shows now, for tests and for the curious (the browser's console).
  window.playgroundLast = {
    expression: state.expression,
    ok: answer.ok,
    values: answer.values,
    drawing: answer.drawing ? { shown: answer.drawing.shown, complete: answer.drawing.complete } : null,
  };
  if (window.playgroundFirstAnswerSeconds === undefined) {
    window.playgroundFirstAnswerSeconds = performance.now() / 1000;
  }
  const error = $("expr-error");
  if (!answer.ok) {
    // Nothing was computed: show the message, with its caret line, and nothing of the last
    // answer (its variables only if the expression parsed and its point is the problem).
    error.textContent = answer.pointer ? `${answer.error}\n${answer.pointer}` : answer.error;
    error.hidden = false;
    $("results").hidden = true;
    syncVariables(answer.variables || [], state.values);
    state.answer = null;
    clearDrawing("drawing", "no drawing: the expression was not computed");
    clearDrawing("step-drawing", "no drawing: the expression was not computed");
    if (answer.fatal) crashed(`Python failed: ${answer.error}`);
    return;
  }
  error.hidden = true;
  error.textContent = "";
  state.values = { ...answer.values };
  syncVariables(answer.variables, answer.values);
  writeUrl();
  state.answer = answer;
  state.answerId = id;
  $("results").hidden = false;
  fillTable($("value-table"), ["f"], [[answer.value_text]]);
  $("value-table").dataset.value = answer.value;
  fillTable(
    $("gradient-table"),
    ["variable", "∂f/∂variable"],
    answer.variables.map((name) => [name, answer.gradient_text[name]]),
  );
  for (const [index, name] of answer.variables.entries()) {
    $("gradient-table").rows[index + 1].dataset.name = name;
    $("gradient-table").rows[index + 1].dataset.grad = answer.gradient[name];
  }
  if (answer.hessian_text) {
    fillTable(
      $("hessian-table"),
      ["", ...answer.variables],
      answer.hessian_text.map((row, i) => [answer.variables[i], ...row]),
    );
  } else {
    $("hessian-table").replaceChildren();
  }
  $("hessian-note").textContent = answer.hessian_error || (answer.variables.length ? "" : "no variables");
  fillTable($("ledger"), answer.ledger.columns, answer.ledger.rows, answer.ledger.accumulated);
  fillTable($("forward"), answer.forward.columns, answer.forward.rows);
  showDrawing(answer);
  state.step = Math.min(state.step, Math.max(0, answer.steps.length - 1));
  showStep();
}

function showDrawing(answer) {
  const drawing = answer.drawing;
  const more = $("draw-more");
  more.hidden = !drawing.more;
  if (drawing.more) more.textContent = `draw more (${drawing.more} edges around f)`;
  let note = "";
  if (!drawing.complete && !drawing.error) {
    note =
      `Drawn: the ${drawing.shown} nodes within ${drawing.radius} edge${drawing.radius === 1 ? "" : "s"} ` +
      `of the output, of ${drawing.nodes}. The whole graph is past the playground's drawing ` +
      `budget (${drawing.budget}); cut edges end in dashed stubs.`;
  }
  $("drawing-note").textContent = note;
  $("drawing").setAttribute("aria-label", drawing.description);
  if (answer.draw_error) {
    clearDrawing("drawing", drawing.description);
    $("drawing").textContent = answer.draw_error;
    return;
  }
  render($("drawing"), answer.dot, {
    seconds: drawing.render_seconds,
    onTooSlow: () => {
      $("drawing-note").textContent = drawing.more
        ? "Drawing more was stopped: Graphviz took too long. Shorten the expression to see more of it."
        : "";
    },
  });
}

$("draw-more").addEventListener("click", () => {
  if (!state.answer || !state.answer.drawing.more) return;
  state.radius = state.answer.drawing.more;
  analyze();
});

function showStep() {
  const answer = state.answer;
  const total = answer ? answer.steps.length : 0;
  $("prev").disabled = state.step <= 0;
  $("next").disabled = state.step >= total - 1;
  for (const row of $("ledger").rows) row.classList.remove("current");
  if (!total) {
    $("step-counter").textContent = "no backward steps (f is a leaf or a constant)";
    $("step-caption").textContent = "";
    clearDrawing("step-drawing", "no steps to draw");
    delete $("step-drawing").dataset.step;
    return;
  }
  const step = answer.steps[state.step];
  $("step-counter").textContent = `step ${state.step + 1} of ${total}`;
  $("step-counter").dataset.step = state.step + 1;
  $("step-caption").textContent = step.caption;
  $("ledger").rows[state.step + 1].classList.add("current");
  if (!answer.step_drawings) {
    clearDrawing("step-drawing", "steps are not drawn for a graph past the drawing budget");
    $("step-drawing").textContent =
      "Each step is drawn for a graph within the drawing budget; this one is past it. " +
      "The caption above and the highlighted ledger row say what the step does.";
    delete $("step-drawing").dataset.step;
    return;
  }
  const shown = state.step + 1;
  const draw = (dot) =>
    render($("step-drawing"), dot, { seconds: answer.drawing.render_seconds }).then((ok) => {
      // The drawing says which step it shows once it is on the page.
      if (ok) $("step-drawing").dataset.step = shown;
    });
  $("step-drawing").setAttribute("aria-label", `the graph at step ${shown}: ${step.caption}`);
  if (step.dot) {
    draw(step.dot);
  } else {
    clearDrawing("step-drawing", `drawing step ${shown}…`);
    busy(true);
    worker.postMessage({ type: "step", id: state.answerId, k: state.step });
  }
}

function stepArrived(message) {
  busy(false);
  const answer = state.answer;
  if (!answer || message.id !== state.answerId) return; // for an older expression
  if (!message.answer.ok) {
    if (message.answer.fatal) crashed(`Python failed: ${message.answer.error}`);
    return;
  }
  answer.steps[message.k].dot = message.answer.dot;
  if (message.k === state.step) showStep();
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
    state.radius = null;
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

// -- network mode: network.js, lent what it needs from here ---------------------------------

network.setup({
  post: (message) => worker.postMessage(message),
  render,
  clearDrawing,
  fit,
  busy,
  crashed,
  isReady: () => state.ready,
  writeUrl,
});

// -- messages from the worker ---------------------------------------------------------------

function fromWorker(message) {
  switch (message.type) {
    case "status":
      $("loading-text").textContent = message.text;
      break;
    case "ready":
      loaded(message);
      if (state.crashedOn !== undefined && state.crashedOn === state.expression) {
        $("expr-error").textContent =
          "Python failed on this expression and was restarted: change it to try again.";
        $("expr-error").hidden = false;
        $("results").hidden = true;
      } else {
        analyze();
      }
      network.ready();
      break;
    case "failed":
      clearInterval(clock);
      $("loading-text").textContent = `could not start the playground: ${message.error}`;
      $("loading").classList.add("error");
      document.body.dataset.state = "failed";
      break;
    case "analysis":
      state.pending = false;
      busy(false);
      if (state.queued) {
        analyze();
      } else {
        showAnswer(message.answer, message.id);
        document.body.dataset.analyzing = "no";
      }
      break;
    case "step":
      stepArrived(message);
      break;
    case "net":
      network.message(message);
      break;
    case "worker-error":
      state.pending = false;
      busy(false);
      if (message.fatal) {
        crashed(`Python failed (${message.context}): ${message.error}`);
      } else {
        $("busy-text").textContent = `The worker reported an error (${message.context}): ${message.error}`;
        $("busy").hidden = false;
      }
      break;
  }
}

readUrl();
showMode(state.mode);
window.playgroundStarted = started;
