/**
 * State-file faults with real filesystems: a path whose mkdir never returns, an unwritable path, a
 * corrupt file, and several writers at once. A hung save must not hold shutdown (the engine and the
 * router save their state on the way out).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { JsonStateFile } from "../../src/util/JsonStateFile.js";
import type { Logger } from "../../src/util/logger.js";

function recordingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, info() {}, error() {}, warn: (m) => warnings.push(m) };
}

const schema = z.object({ n: z.number().min(0) });
const file = (path: string, logger: Logger, saveTimeoutMs?: number) =>
    new JsonStateFile(path, schema, "test state", "set the path to a writable one", logger, saveTimeoutMs);

describe("state-file faults", () => {
    // Linux: a recursive mkdir below /proc/self/task/<missing>/ never settles (seen with Node 20).
    it.skipIf(process.platform !== "linux")(
        "a save whose mkdir never returns gives up at its timeout with one warning",
        async () => {
            const logger = recordingLogger();
            const state = file("/proc/self/task/none/deeper/state.json", logger, 200);
            await state.save(1, () => ({ n: 1 }));
            await state.save(2, () => ({ n: 2 }));
            expect(logger.warnings).toHaveLength(1);
            expect(logger.warnings[0]).toMatch(/could not save test state/);
        },
        10_000,
    );

    it("an unwritable directory: warns once, never throws, and saves once it is writable again", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-fault-"));
        chmodSync(dir, 0o500);
        const logger = recordingLogger();
        const state = file(join(dir, "state.json"), logger);
        await state.save(1, () => ({ n: 1 }));
        await state.save(2, () => ({ n: 2 }));
        // root ignores the mode bits: then the first save already succeeded.
        const root = process.getuid?.() === 0;
        expect(logger.warnings).toHaveLength(root ? 0 : 1);
        chmodSync(dir, 0o700);
        await state.save(3, () => ({ n: 3 }));
        expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8"))).toEqual({ n: 3 });
    });

    it("a corrupt or out-of-range file is ignored with a warning", () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-fault-"));
        const path = join(dir, "state.json");
        for (const body of ["{", '{"n": -1}', "null", '{"n": 1e999}']) {
            writeFileSync(path, body);
            const logger = recordingLogger();
            expect(file(path, logger).read()).toBeUndefined();
            expect(logger.warnings).toHaveLength(1);
        }
    });

    it("32 concurrent writers leave one whole file and no temporary files", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-fault-"));
        const path = join(dir, "state.json");
        await Promise.all(
            Array.from({ length: 32 }, (_, i) => file(path, recordingLogger()).save(1, () => ({ n: i }))),
        );
        const parsed = schema.parse(JSON.parse(readFileSync(path, "utf8")));
        expect(parsed.n).toBeGreaterThanOrEqual(0);
        expect(readdirSync(dir)).toEqual(["state.json"]);
    });
});
