/**
 * A routed request's signals (not a test): what util/abort.ts `linkedSignal` costs against the
 * `AbortSignal.any` + `AbortSignal.timeout` pair it replaces, each built and disposed as a request does
 * (a request scope over the caller's signal with a deadline, then an attempt over the scope), and an
 * Error subclass with and without its stack trace (the attempt's timeout reason). Prints ns per request
 * and the ratio; the machine is shared, so compare ratios.
 *
 *   node --import tsx bench/micro/abort.bench.ts
 */
import { cpus, loadavg } from "node:os";
import { AttemptTimeout, attemptTimeout } from "../../src/router/executePlan.js";
import { linkedSignal, timeoutReason } from "../../src/util/abort.js";
import { measure } from "./measure.js";

const caller = new AbortController();

const builtIn = (): void => {
    const closing = new AbortController();
    const scope = AbortSignal.any([closing.signal, AbortSignal.timeout(600_000), caller.signal]);
    const own = new AbortController();
    const attempt = AbortSignal.any([scope, own.signal]);
    clearTimeout(
        setTimeout(() => {
            own.abort();
        }, 60_000),
    );
    if (attempt.aborted) throw new Error("unexpected abort");
};

const linked = (): void => {
    const scope = linkedSignal([caller.signal], { ms: 600_000, reason: timeoutReason });
    const attempt = linkedSignal([scope.signal], { ms: 60_000, reason: () => undefined });
    if (attempt.signal.aborted) throw new Error("unexpected abort");
    attempt.dispose();
    scope.dispose();
};

const anyNs = measure(builtIn, 400);
const linkedNs = measure(linked, 400);
const stackNs = measure(() => new AttemptTimeout("attempt", 1000), 200);
const noStackNs = measure(() => attemptTimeout("attempt", 1000), 200);
console.log(
    `request signals, CPU ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), load ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
    `AbortSignal.any + .timeout ${anyNs.toFixed(0)} ns | linkedSignal ${linkedNs.toFixed(0)} ns | ratio ${(anyNs / linkedNs).toFixed(1)}x`,
);
console.log(
    `timeout reason with stack ${stackNs.toFixed(0)} ns | without ${noStackNs.toFixed(0)} ns | ratio ${(stackNs / noStackNs).toFixed(1)}x`,
);
