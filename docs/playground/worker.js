// The playground's Web Worker: runs Pyodide (CPython on WebAssembly) with
// autograd_lite's own source files, so training never freezes the page.
//
// Everything is loaded from this site (the folder this file is in): Pyodide
// from ./pyodide/, the package from ./autograd_lite/ as listed in
// ./manifest.json (each file checked against its SHA-256), the glue module
// ./playground.py. Messages in and out are plain objects; the page's text goes
// to Python as JSON and is parsed there by autograd_lite.expression (no eval).

import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
let glue = null;
let trainer = null;
let stopRequested = false;
let trainingRun = 0;

function status(text) {
  postMessage({ type: "status", text });
}

async function fetchText(path) {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`cannot load ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function sha256(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function boot() {
  const started = performance.now();
  status("loading Python (Pyodide, about 13 MB)…");
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  status("loading autograd_lite's source files…");
  const manifest = JSON.parse(new TextDecoder().decode(await fetchText("manifest.json")));
  pyodide.FS.mkdirTree("/playground/autograd_lite");
  const files = await Promise.all(
    manifest.package.map(async (file) => [file, await fetchText(`autograd_lite/${file.name}`)]),
  );
  for (const [file, bytes] of files) {
    if ((await sha256(bytes)) !== file.sha256) {
      throw new Error(`autograd_lite/${file.name} does not match manifest.json: rebuild the site`);
    }
    pyodide.FS.writeFile(`/playground/autograd_lite/${file.name}`, bytes);
  }
  pyodide.FS.writeFile("/playground/playground.py", await fetchText("playground.py"));
  status(`importing autograd_lite (${files.length} files)…`);
  pyodide.runPython("import sys; sys.path.insert(0, '/playground')");
  glue = pyodide.pyimport("playground");
  const versions = {
    ...manifest.versions,
    python: pyodide.runPython("import sys; sys.version.split()[0]"),
    autograd_lite: pyodide.runPython("import autograd_lite; autograd_lite.__version__"),
  };
  return { seconds: (performance.now() - started) / 1000, versions };
}

const booted = boot();
booted.then(
  (info) => postMessage({ type: "ready", ...info }),
  (error) => postMessage({ type: "failed", error: String(error && error.message ? error.message : error) }),
);

// The last line of a Python traceback, e.g. "ValueError: unknown dataset 'x'; ...".
function pythonMessage(error) {
  const lines = String(error && error.message ? error.message : error).trim().split("\n");
  return lines[lines.length - 1];
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

async function train(config) {
  const run = ++trainingRun;
  stopRequested = false;
  let next;
  try {
    next = glue.Trainer(JSON.stringify(config));
  } catch (error) {
    postMessage({ type: "train-error", error: pythonMessage(error) });
    return;
  }
  if (trainer) trainer.destroy();
  trainer = next;
  const total = config.epochs;
  let snapshotCost = 0;
  const snapshot = () => {
    const started = performance.now();
    const pictures = {
      boundary: JSON.parse(trainer.boundary(60)),
      network: trainer.network_dot(),
    };
    snapshotCost = performance.now() - started;
    return pictures;
  };
  postMessage({ type: "progress", epoch: 0, loss: [], compiled: trainer.compiled, ...snapshot() });
  let chunk = 1;
  let lastDrawn = performance.now();
  let result = null;
  try {
    while (!stopRequested && run === trainingRun && trainer.epochs < total) {
      const epochs = Math.min(chunk, total - trainer.epochs);
      const started = performance.now();
      result = JSON.parse(trainer.run(epochs));
      const elapsed = performance.now() - started;
      // About 100 ms of training between looks at the message queue (the stop button).
      chunk = Math.max(1, Math.min(500, Math.round((epochs * 100) / Math.max(elapsed, 1))));
      const done = trainer.epochs >= total;
      // Redraw every few epochs, but keep drawing to about a fifth of the time.
      const draw = done || performance.now() - lastDrawn > Math.max(250, 4 * snapshotCost);
      if (draw) lastDrawn = performance.now();
      postMessage({ type: "progress", ...result, ...(draw ? snapshot() : {}) });
      await pause(); // lets a "stop" message in
    }
  } catch (error) {
    postMessage({ type: "train-error", error: pythonMessage(error) });
    return;
  }
  if (run !== trainingRun) return;
  postMessage({
    type: "trained",
    stopped: stopRequested && trainer.epochs < total,
    epoch: trainer.epochs,
    seconds: trainer.seconds,
    compiled: trainer.compiled,
    ...snapshot(),
  });
}

onmessage = async (event) => {
  const message = event.data;
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  try {
    await booted;
  } catch {
    return; // "failed" was posted already
  }
  if (message.type === "analyze") {
    const request = JSON.stringify({ expression: message.expression, values: message.values });
    postMessage({ type: "analysis", id: message.id, answer: JSON.parse(glue.analyze(request)) });
  } else if (message.type === "train") {
    await train(message.config);
  }
};
