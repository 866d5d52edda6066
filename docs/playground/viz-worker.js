// Graphviz (viz-js, WebAssembly) in its own Web Worker: a drawing is laid out off the
// page's thread, so a graph Graphviz takes minutes over cannot freeze the page. The page
// gives each drawing a time limit and ends this worker (starting a new one) past it.
//
// In: {id, dot}. Out: {id, svg} or {id, error}.

importScripts("viz/viz-global.js");

const ready = Viz.instance();

onmessage = async (event) => {
  const { id, dot } = event.data;
  try {
    const viz = await ready;
    postMessage({ id, svg: viz.renderString(dot, { format: "svg" }) });
  } catch (error) {
    postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
