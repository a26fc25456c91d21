/**
 * The routing log on a failing disk: /dev/full answers every write with ENOSPC, so a records path that
 * is a symlink to it is a full disk; pointing the link at a regular file is the space coming back.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it, vi } from "vitest";
import { createRouterMetrics } from "../../../src/metrics/createRouterMetrics.js";
import { RoutingLog } from "../../../src/router/RoutingLog.js";
import type { RoutingRecord } from "../../../src/router/types.js";

const record = (i: number) => ({ request_id: `r${i}` }) as unknown as RoutingRecord;

describe.skipIf(!existsSync("/dev/full"))("RoutingLog after write errors", () => {
    it("reopens the file once writes work again, counts dropped records and reports once per episode", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-records-"));
        const path = join(dir, "routing.jsonl");
        symlinkSync("/dev/full", path);
        const registry = new Registry();
        const metrics = createRouterMetrics(registry, () => []);
        const errors: string[] = [];
        const recoveries: number[] = [];
        const log = new RoutingLog({
            path,
            redact: (t) => t,
            onError: (error) => errors.push(error.message),
            onRecover: (dropped) => recoveries.push(dropped),
            dropped: metrics.recordsDropped,
            reopenBaseMs: 5,
            reopenMaxMs: 20,
        });
        const dropped = async () =>
            (await registry.getSingleMetric("tiercel_router_records_dropped_total")!.get()).values[0]
                ?.value ?? 0;
        for (let i = 0; i < 20; i++) log.write(record(i));
        await vi.waitFor(async () => {
            expect(await dropped()).toBe(20);
        });
        // Every reopen of /dev/full fails again: still the same episode, one report.
        await new Promise((resolve) => setTimeout(resolve, 60));
        log.write(record(20));
        await vi.waitFor(async () => {
            expect(await dropped()).toBe(21);
        });
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/ENOSPC/);

        // Space returns.
        rmSync(path);
        await vi.waitFor(
            () => {
                log.write(record(100));
                expect(recoveries).toHaveLength(1);
            },
            { timeout: 5_000, interval: 10 },
        );
        for (let i = 0; i < 50; i++) log.write(record(200 + i));
        await log.close();
        const lines = readFileSync(path, "utf8").trim().split("\n");
        const written = lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id);
        expect(written.filter((id) => id.startsWith("r2") && id.length === 4)).toHaveLength(50);
        expect(errors).toHaveLength(1);
        expect(recoveries[0]).toBeGreaterThanOrEqual(21);
    });
});
