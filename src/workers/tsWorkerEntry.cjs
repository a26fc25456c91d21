// Piscina entry for running a TypeScript worker from the source tree (tsx, vitest). Node 20 does not
// pass the parent's loader hooks to worker threads and ignores `--import tsx` in a worker's execArgv,
// so this plain-JS shim loads the worker named in `workerData.entry` through tsx's scoped `tsImport`
// and hands tasks to its handler. Built code (dist/) points piscina at the compiled .js worker instead.
//
// CommonJS, loading the worker without a top-level await: piscina first `require()`s its entry, and
// Node 20's require() of an ES module with a top-level await, racing piscina's own import() of it,
// aborted the whole process now and then ("FATAL ERROR: v8::Module::IsGraphAsync must be used on an
// instantiated module", seen in a clean-clone CI run). A CommonJS entry is simply required.
const { pathToFileURL } = require("node:url");
const { workerData } = require("piscina");

const handler = import("tsx/esm/api")
    .then(({ tsImport }) => tsImport(workerData.entry, pathToFileURL(__filename).href))
    .then((worker) => worker.default);
// A failure to load is the first task's error, not an unhandled rejection.
handler.catch(() => undefined);

module.exports = async (task) => (await handler)(task);
