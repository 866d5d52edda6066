// The playground's Web Worker: runs Pyodide (CPython on WebAssembly) with
// autograd_lite's own source files, so computing never freezes the page.
//
// Everything is loaded from this site (the folder this file is in): Pyodide
// from ./pyodide/, the package from ./autograd_lite/ as listed in
// ./manifest.json (each file checked against its SHA-256; subpackages are
// listed by their path, "nn/layers.py", and their folders made here), the glue
// module ./playground.py. Messages in and out are plain objects; the page's text
// goes to Python as JSON and is parsed there by autograd_lite.expression (no eval).
//
// Every error reaches the page: a Python error as the message of the request that
// raised it, anything else as {type: "worker-error"}; when Pyodide itself has failed
// (a JavaScript stack overflow inside Python kills it for good) the message says
// {fatal: true} and the page starts a new worker.

import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
const started = performance.now();
const timings = {}; // phase -> seconds since the worker started, for the page's figures
const mark = (phase) => (timings[phase] = +((performance.now() - started) / 1000).toFixed(3));
let pyodide = null;
let glue = null;

function status(text) {
  postMessage({ type: "status", text });
}

async function fetchBytes(path) {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`cannot load ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function sha256(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The package's files, fetched and checked while Pyodide loads (they do not need it):
// [path in Pyodide's file system, bytes], the glue modules last.
async function packageFiles(manifest) {
  const wanted = [
    ...manifest.package.map((file) => ({ ...file, url: `autograd_lite/${file.name}` })),
    ...manifest.glue.map((file) => ({ ...file, url: file.name })),
  ];
  const files = await Promise.all(
    wanted.map(async (file) => {
      const bytes = await fetchBytes(file.url);
      if ((await sha256(bytes)) !== file.sha256) {
        throw new Error(`${file.url} does not match manifest.json: rebuild the site`);
      }
      return [`/playground/${file.url}`, bytes];
    }),
  );
  mark("package fetched");
  return files;
}

// Cache across visits: after the first visit, a memory snapshot of Python with the
// package imported (the site's, unzipped, or one made here when the site has none) is
// kept in the browser's Cache Storage, keyed by the SHA-256 of
// manifest.json (which lists every file's SHA-256) and the Pyodide version, so a later
// visit restores it instead of starting Python and importing the package again. A
// snapshot of other files is never used: a changed file changes the manifest.
const SNAPSHOTS = "autograd-lite-playground-snapshots";

async function cachedSnapshot(key) {
  try {
    const cache = await caches.open(SNAPSHOTS);
    const found = await cache.match(key);
    return found ? new Uint8Array(await found.arrayBuffer()) : null;
  } catch {
    return null; // no Cache Storage (a private window, an insecure origin): start afresh
  }
}

async function keepSnapshot(key, bytes) {
  try {
    const cache = await caches.open(SNAPSHOTS);
    for (const old of await cache.keys()) await cache.delete(old); // one snapshot kept
    await cache.put(key, new Response(bytes, { headers: { "content-type": "application/octet-stream" } }));
  } catch {
    // Not kept: the next visit starts Python afresh, as this one did.
  }
}

// The snapshot the site ships (build.py makes it with Node), checked and unzipped.
async function siteSnapshot(manifest) {
  if (!manifest.snapshot) return null;
  try {
    const zipped = await fetchBytes(manifest.snapshot.name);
    if ((await sha256(zipped)) !== manifest.snapshot.sha256) return null;
    const stream = new Blob([zipped]).stream().pipeThrough(new DecompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    mark("snapshot fetched");
    return bytes;
  } catch {
    return null;
  }
}

function writeFiles(files) {
  for (const [path, bytes] of files) {
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    pyodide.FS.writeFile(path, bytes);
  }
}

async function boot() {
  status("loading Python (Pyodide, about 13 MB)…");
  const listing = await fetchBytes("manifest.json");
  const manifest = JSON.parse(new TextDecoder().decode(listing));
  const key = `snapshot-${manifest.versions.pyodide}-${await sha256(listing)}`;
  const sources = packageFiles(manifest);
  sources.catch(() => {}); // reported below, once Pyodide is up or has failed
  const indexURL = new URL("pyodide/", base).href;
  let snapshot = await cachedSnapshot(key);
  let keep = false; // the site's snapshot, unzipped, is kept for the next visit
  if (!snapshot) {
    snapshot = await siteSnapshot(manifest);
    keep = Boolean(snapshot);
  }
  let files = null;
  if (snapshot) {
    try {
      pyodide = await loadPyodide({ indexURL, _loadSnapshot: snapshot });
      files = await sources; // checked against the manifest before anything runs
      writeFiles(files); // the snapshot holds Python's memory, not its files
      glue = pyodide.pyimport("playground");
      timings.snapshot = keep ? "restored from the site" : "restored from the cache";
      mark("pyodide loaded");
      if (keep) setTimeout(() => keepSnapshot(key, snapshot), 0); // after the page is answered
    } catch (error) {
      if (error && String(error.message).includes("does not match manifest.json")) throw error;
      pyodide = null; // a snapshot this Pyodide cannot restore: start afresh
      glue = null;
    }
  }
  if (!glue) {
    pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    mark("pyodide loaded");
    files = await sources;
    status(`importing autograd_lite (${files.length - manifest.glue.length} files)…`);
    writeFiles(files);
    pyodide.runPython("import sys; sys.path.insert(0, '/playground'); import playground");
    // Taken before any JavaScript object points into Python (pyimport makes one).
    let made = null;
    try {
      made = pyodide.makeMemorySnapshot();
    } catch {
      made = null;
    }
    glue = pyodide.pyimport("playground");
    timings.snapshot = made ? "made" : "not supported";
    if (made && !manifest.snapshot) keepSnapshot(key, made); // in the background
  }
  mark("imported");
  const versions = {
    ...manifest.versions,
    python: pyodide.runPython("import sys; sys.version.split()[0]"),
    autograd_lite: pyodide.runPython("import autograd_lite; autograd_lite.__version__"),
  };
  return { seconds: (performance.now() - started) / 1000, versions, timings };
}

const booted = boot();
booted.then(
  (info) => postMessage({ type: "ready", ...info }),
  (error) => postMessage({ type: "failed", error: messageOf(error), fatal: !alive() }),
);

function messageOf(error) {
  return String(error && error.message ? error.message : error);
}

// The last line of a Python traceback, e.g. "ValueError: unknown dataset 'x'; ...".
function pythonMessage(error) {
  const lines = messageOf(error).trim().split("\n");
  return lines[lines.length - 1];
}

// Whether Pyodide can still run Python (after a fatal error every call throws).
function alive() {
  if (!pyodide) return false;
  try {
    pyodide.runPython("0");
    return true;
  } catch {
    return false;
  }
}

// A failure outside Python's own exceptions: said to the page, with whether it was fatal.
function report(context, error) {
  postMessage({ type: "worker-error", context, error: messageOf(error), fatal: !alive() });
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

// -- network mode: one trainer, driven by the page's build / play / pause / step / reset /
// explain / explain-step / configure messages. Every answer carries the build's number
// (`generation`), so the page drops answers about a network it has replaced, and every
// picture is sent with the epoch and update it shows (the status is written from the same
// message, so the two never disagree).

const net = {
  trainer: null,
  config: null,
  generation: 0,
  playing: false,
  epoch: 0, // completed epochs, as the last snapshot said
  snapshotCost: 0, // ms of the last snapshot, so drawing stays a small share of playing
  chunk: 1, // epochs per run() call while playing, tuned to about 150 ms
};
let queue = Promise.resolve(); // network requests, one at a time (a build awaits between classes)

function enqueue(task) {
  queue = queue.then(task).catch((error) => netError("network", error));
}

function netPost(kind, fields = {}) {
  postMessage({ type: "net", kind, generation: net.generation, ...fields });
}

function netError(during, error) {
  net.playing = false;
  netPost("error", { during, error: pythonMessage(error), fatal: !alive() });
}

// What every picture needs, at the current weights: the snapshot (with its epoch and
// update), the parameters at full precision and the batch the next update will use.
function pictures() {
  const begun = performance.now();
  const snapshot = JSON.parse(net.trainer.snapshot("{}"));
  const parameters = JSON.parse(net.trainer.parameters());
  const nextBatch = JSON.parse(net.trainer.next_batch());
  net.snapshotCost = performance.now() - begun;
  net.epoch = snapshot.epoch;
  return { snapshot, parameters, next_batch: nextBatch };
}

// The trainer's sentences about settings that do not apply (xor has no noise, ...).
function notesOf(trainer) {
  const notes = trainer.notes;
  if (notes === undefined || notes === null) return [];
  if (typeof notes === "string") return notes ? [notes] : [];
  const list = notes.toJs();
  notes.destroy();
  return list.map(String);
}

async function netBuild(config, generation) {
  if (generation !== net.generation) return; // a newer build was asked for meanwhile
  net.playing = false;
  let next;
  try {
    next = glue.Trainer(JSON.stringify(config));
  } catch (error) {
    if (net.trainer) net.trainer.destroy();
    net.trainer = null;
    netError("build", error);
    return;
  }
  if (net.trainer) net.trainer.destroy();
  net.trainer = next;
  net.config = config;
  net.chunk = 1;
  netPost("building", { weights: next.weights, compiled: next.compiled });
  // One class compiled per call, with a look at the message queue between them.
  while (!next.build_step()) {
    await pause();
    if (generation !== net.generation) return; // a newer build was asked for
  }
  netPost("built", { notes: notesOf(next), ...pictures() });
}

// Train whole epochs (run() first finishes a partial one), about 150 ms at a time plus
// a snapshot, until paused, a new network is built, or the epochs set are reached.
function netChunk(generation) {
  if (!net.playing || generation !== net.generation || !net.trainer) return;
  const limit = net.config.epochs;
  const before = net.epoch;
  if (before >= limit) {
    net.playing = false;
    netPost("paused", { reason: "done", ...pictures() });
    return;
  }
  const epochs = Math.max(1, Math.min(net.chunk, limit - before));
  const begun = performance.now();
  const result = JSON.parse(net.trainer.run(epochs));
  const elapsed = performance.now() - begun;
  const target = Math.max(150, 4 * net.snapshotCost);
  net.chunk = Math.max(1, Math.min(500, Math.round((epochs * target) / Math.max(elapsed, 1))));
  const finished = result.epoch >= limit;
  if (finished) net.playing = false;
  netPost(finished ? "paused" : "progress", {
    reason: finished ? "done" : "playing",
    run: result,
    ...pictures(),
  });
  if (!finished) setTimeout(() => enqueue(() => netChunk(generation)), 0);
}

function netMessage(message) {
  const need = () => {
    if (!net.trainer) throw new Error("no network is built yet: change a setting to build one");
    return net.trainer;
  };
  switch (message.type) {
    case "build":
      net.playing = false; // at once: a chunk already queued sees it
      net.generation += 1; // ... and a build still compiling stops at its next class
      enqueue(((generation) => () => netBuild(message.config, generation))(net.generation));
      return;
    case "reset":
      net.playing = false;
      net.generation += 1;
      enqueue(((generation) => () => netBuild(net.config, generation))(net.generation));
      return;
    case "pause":
      net.playing = false;
      enqueue(() => {
        if (net.trainer) netPost("paused", { reason: "paused", ...pictures() });
      });
      return;
    case "play":
      enqueue(() => {
        need();
        if (net.playing) return;
        if (Number.isInteger(message.epochs) && message.epochs >= 1) net.config = { ...net.config, epochs: message.epochs };
        net.playing = true;
        netPost("playing");
        netChunk(net.generation);
      });
      return;
    case "step":
      enqueue(() => {
        const trainer = need();
        net.playing = false;
        const step = JSON.parse(trainer.step());
        netPost("stepped", { step, ...pictures() });
      });
      return;
    case "configure":
      enqueue(() => {
        const trainer = need();
        const answer = JSON.parse(trainer.configure(JSON.stringify(message.config)));
        net.config = { ...net.config, ...message.config };
        netPost("configured", { answer, next_batch: JSON.parse(trainer.next_batch()) });
      });
      return;
    case "explain":
      enqueue(() => {
        const trainer = need();
        const request = JSON.stringify({ parameter: message.parameter, example: message.example });
        const answer = JSON.parse(trainer.explain(request));
        const at = JSON.parse(trainer.parameters());
        netPost("explained", { id: message.id, answer, values: at.values });
      });
      return;
    case "explain-step":
      enqueue(() => {
        const text = need().explain_step(message.k);
        const answer = text.trimStart().startsWith("{") ? JSON.parse(text) : { ok: true, dot: text };
        netPost("explain-step", { id: message.id, k: message.k, dot: answer.ok ? answer.dot : "", error: answer.error });
      });
      return;
  }
  report("message", new Error(`unknown message type ${JSON.stringify(message.type)}`));
}

const NET_MESSAGES = new Set(["build", "reset", "pause", "play", "step", "configure", "explain", "explain-step"]);

onmessage = async (event) => {
  const message = event.data;
  try {
    await booted;
  } catch {
    return; // "failed" was posted already
  }
  try {
    if (message.type === "analyze") {
      const request = JSON.stringify({
        expression: message.expression,
        values: message.values,
        radius: message.radius ?? null,
      });
      let answer;
      try {
        answer = JSON.parse(glue.analyze(request));
      } catch (error) {
        // analyze answers every expression error itself: this is a bug or a crash.
        const fatal = !alive();
        answer = { ok: false, kind: "internal", error: pythonMessage(error), pointer: "", fatal };
      }
      postMessage({ type: "analysis", id: message.id, answer });
    } else if (message.type === "step" && "k" in message) {
      // Expression mode's step-through ({type: "step", k}); network mode's {type: "step"}
      // (one update) has no k.
      let answer;
      try {
        answer = JSON.parse(glue.step(message.k));
      } catch (error) {
        answer = { ok: false, error: pythonMessage(error), fatal: !alive() };
      }
      postMessage({ type: "step", id: message.id, k: message.k, answer });
    } else if (NET_MESSAGES.has(message.type)) {
      netMessage(message);
    } else {
      report("message", new Error(`unknown message type ${JSON.stringify(message.type)}`));
    }
  } catch (error) {
    report(message.type, error);
  }
};
