/**
 * The GPU check's one-file results bundle (bench/gpuResultsBundle.ts): what a device call's runs add
 * comes back whole, later runs replace earlier versions of a file, and what is not a bundle is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addToBundle, readBundle, unpackBundle } from "../../../bench/gpuResultsBundle.js";

const dir = (): string => mkdtempSync(join(tmpdir(), "tiercel-bundle-"));

describe("GPU results bundle", () => {
    it("collects several runs' files in one file and writes them back", () => {
        const results = dir();
        const out = dir();
        const bundle = join(out, "gpu-check-results.json");
        writeFileSync(join(results, "gpu-x-a.md"), "# a\n");
        writeFileSync(join(results, "gpu-x-a.json"), '{"a":1}\n');
        expect(addToBundle(bundle, results, ["gpu-x-a.json", "gpu-x-a.md", "gpu-x-a-load.json"])).toEqual([
            "gpu-x-a.json",
            "gpu-x-a.md",
        ]);
        writeFileSync(join(results, "gpu-x-b.md"), "# b\n");
        addToBundle(bundle, results, ["gpu-x-b.md"]);
        // A later phase of run a rewrites its report: the bundle keeps the newest.
        writeFileSync(join(results, "gpu-x-a.md"), "# a, all phases\n");
        addToBundle(bundle, results, ["gpu-x-a.md"]);

        const back = dir();
        expect(unpackBundle(bundle, back).sort()).toEqual(["gpu-x-a.json", "gpu-x-a.md", "gpu-x-b.md"]);
        expect(readFileSync(join(back, "gpu-x-a.md"), "utf8")).toBe("# a, all phases\n");
        expect(readFileSync(join(back, "gpu-x-b.md"), "utf8")).toBe("# b\n");
    });

    it("refuses a name with folders, and a file that is not a bundle", () => {
        const results = dir();
        expect(() => addToBundle(join(results, "b.json"), results, ["../x.md"])).toThrow(/plain file name/);
        const notBundle = join(results, "other.json");
        writeFileSync(notBundle, '{"tables": []}');
        expect(() => readBundle(notBundle)).toThrow(/not a GPU results bundle/);
        writeFileSync(notBundle, '{"files": {"../escape.md": "x"}}');
        expect(() => readBundle(notBundle)).toThrow(/not a plain file name/);
        expect(() => unpackBundle(join(results, "missing.json"), results)).toThrow(/no bundle/);
    });
});
