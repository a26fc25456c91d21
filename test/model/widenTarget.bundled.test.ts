/**
 * The cost-scaled target is written once: a second call returns the file already there (the GPU check
 * writes it beside the CUDA build, and the bench then finds it), and the file holds the widened shape.
 */
import { statSync } from "node:fs";
import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { widenTarget } from "../../models/build/widenTarget.js";
import { bundledModel } from "../helpers/bundledModels.js";

describe("widenTarget", () => {
    it("writes the widened target once and returns the existing file after", async () => {
        const path = await widenTarget(2, "Q8_0", 7);
        const first = statSync(path);
        const again = await widenTarget(2, "Q8_0", 7);
        expect(again).toBe(path);
        const second = statSync(path);
        expect(second.ino).toBe(first.ino);
        expect(second.mtimeMs).toBe(first.mtimeMs);
        const info = await readGgufFileInfo(path);
        const meta = info.architectureMetadata as { embedding_length: number; block_count: number };
        expect(meta.embedding_length).toBe(2 * (bundledModel("target") as unknown as { dim: number }).dim);
        expect(meta.block_count).toBe(7);
    });
});
