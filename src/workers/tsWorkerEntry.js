// Piscina entry for running a TypeScript worker from the source tree (tsx, vitest). Node 20 does not
// pass the parent's loader hooks to worker threads and ignores `--import tsx` in a worker's execArgv,
// so this plain-JS shim loads the worker named in `workerData.entry` through tsx's scoped `tsImport`
// and re-exports its handler. Built code (dist/) points piscina at the compiled .js worker instead.
import { workerData } from "piscina";
import { tsImport } from "tsx/esm/api";

const worker = await tsImport(workerData.entry, import.meta.url);
export default worker.default;
