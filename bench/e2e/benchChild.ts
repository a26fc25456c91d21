/**
 * A tiercel process the bench talks to as agents do: `npm start` (`src/main.ts`) or `npm run gateway`
 * (`src/gatewayMain.ts`) started with a config file and free ports, in its own process, so its garbage
 * collections, event loop and CPU are its own and not the bench client's.
 *
 * Its CPU time comes from its own `tiercel_process_cpu_seconds_total` (prom-client's `process.cpuUsage()`,
 * microseconds), read over its metrics port: `/proc/<pid>/stat` counts in 10 ms ticks, too coarse for a
 * block of a hundred sub-millisecond requests, and this kernel's per-thread schedstat is empty. A scrape
 * costs the child CPU of its own, which falls into the next reading; `cpuMicros` subtracts the median cost
 * of back-to-back scrapes measured at start-up.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigInput } from "../../src/config/schema.js";
import { freePortFlags, runMain, type MainEntry, type ReadyLine } from "../../test/helpers/runMain.js";
import { percentile } from "../percentile.js";

export interface BenchChild {
    readonly ready: ReadyLine;
    /** The child's CPU time so far (µs), less the scrapes' own cost. */
    cpuMicros(): Promise<number>;
    close(): Promise<void>;
}

async function scrapeCpuMicros(metricsUrl: string): Promise<number> {
    const text = await (await fetch(metricsUrl)).text();
    const line = /^tiercel_process_cpu_seconds_total (\S+)$/m.exec(text);
    if (line === null) throw new Error(`${metricsUrl} has no tiercel_process_cpu_seconds_total`);
    return Number(line[1]) * 1e6;
}

export async function startBenchChild(
    entry: MainEntry,
    config: ConfigInput | { gateway: { router: unknown } },
    env: Record<string, string> = {},
): Promise<BenchChild> {
    const dir = await mkdtemp(join(tmpdir(), "tiercel-bench-"));
    const configPath = join(dir, "config.json");
    await writeFile(configPath, JSON.stringify(config));
    const running = runMain(["--config", configPath, ...freePortFlags], env, entry);
    const ready = await running.ready();
    const pairs: number[] = [];
    for (let i = 0; i < 21; i++) {
        const first = await scrapeCpuMicros(ready.metrics);
        pairs.push((await scrapeCpuMicros(ready.metrics)) - first);
    }
    const scrapeCost = percentile(pairs, 0.5);
    let scrapes = 0;
    return {
        ready,
        cpuMicros: async () => (await scrapeCpuMicros(ready.metrics)) - scrapeCost * scrapes++,
        close: async () => {
            running.kill("SIGTERM");
            await running.exited;
            await rm(dir, { recursive: true, force: true });
        },
    };
}
