/**
 * `npm run bench:router` (bench/micro/router.bench.ts) runs to the end and prints every case: the full
 * bench's router phase and the figures in docs come from it, and nothing else ran it (a reordering once
 * made it throw at its classifier-input case, after the cases before it had printed).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("bench:router", () => {
    it("measures every case with a few samples", async () => {
        const { stdout } = await run(
            process.execPath,
            ["--import", "tsx", "bench/micro/router.bench.ts", "50"],
            {
                timeout: 50_000,
            },
        );
        const cases = [
            "decision core",
            "router.decide()",
            "complete() cache hit",
            "stream() cache hit",
            "complete() to a provider, small request",
            "complete() to a provider, agent request",
            "stream() to a provider, small, drained",
            "featureVector (classifier input)",
            "featureVector, 20 kB pasted code",
        ];
        for (const name of cases) {
            const line = stdout.split("\n").find((l) => l.startsWith(name));
            expect(line, `no line for "${name}" in:\n${stdout}`).toMatch(/p50 +[\d.]+ µs .*p99 +[\d.]+ µs/);
        }
    });
});
