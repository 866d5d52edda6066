// Make the playground's Python snapshot at build time: `node snapshot.mjs PLAYGROUND_DIR`.
//
// Loads the site's own Pyodide (PLAYGROUND_DIR/pyodide/) in Node, writes the package's
// files as manifest.json lists them, imports the glue module (which imports
// autograd_lite), and saves Pyodide's memory snapshot, gzipped, as
// PLAYGROUND_DIR/snapshot.bin.gz. The page restores it instead of starting Python and
// importing the package (about 8 s of a cold visit). build.py runs this and lists the
// file with its SHA-256 in manifest.json; without Node the page starts Python afresh.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";

const folder = path.resolve(process.argv[2] ?? ".");
const { loadPyodide } = await import(pathToFileURL(path.join(folder, "pyodide", "pyodide.mjs")).href);
const manifest = JSON.parse(fs.readFileSync(path.join(folder, "manifest.json"), "utf8"));
const pyodide = await loadPyodide({ indexURL: path.join(folder, "pyodide") + path.sep, _makeSnapshot: true });
const files = [
  ...manifest.package.map((file) => `autograd_lite/${file.name}`),
  ...manifest.glue.map((file) => file.name),
];
for (const name of files) {
  const target = `/playground/${name}`;
  pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
  pyodide.FS.writeFile(target, fs.readFileSync(path.join(folder, name)));
}
try {
  pyodide.runPython("import sys; sys.path.insert(0, '/playground'); import playground");
} catch (error) {
  // The Python traceback, not Pyodide's minified JavaScript around it.
  console.error(String(error.message || error).trim().split("\n").slice(-6).join("\n"));
  process.exit(1);
}
const snapshot = pyodide.makeMemorySnapshot();
fs.writeFileSync(path.join(folder, "snapshot.bin.gz"), zlib.gzipSync(snapshot, { level: 6 }));
console.log(`snapshot.bin.gz: ${snapshot.length} bytes of memory`);
