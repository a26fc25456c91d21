/**
 * `tiercel models list|verify` with a config whose gateway router has a classifier section: the
 * classifier's row beside the engine's models, its files checked on verify (a word-vector table that is
 * not the one its json pins: exit 1, naming the file and the rebuild command).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runModelsCommand } from "../../src/cli/modelsCommand.js";
import { defaultClassifierModelPath, defaultWordVectorsPath } from "../../src/router/learned/defaults.js";

const tier = (name: string) => ({ name, targets: [{ provider: "p", model: name }] });

/** A config file whose gateway router classifies with `model`. */
function configWith(model: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), "tiercel-models-"));
    const router = {
        providers: { p: { type: "anthropic" } },
        tiers: [tier("local"), tier("mid"), tier("frontier")],
        classifier: model === undefined ? {} : { model },
    };
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ gateway: { router } }));
    return path;
}

/** Runs the command, returning its exit code and what it wrote. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
        stdout += String(chunk);
        return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        stderr += String(chunk);
        return true;
    });
    const code = await runModelsCommand(args);
    vi.restoreAllMocks();
    return { code, stdout, stderr };
}

afterEach(() => {
    vi.restoreAllMocks();
});

describe("tiercel models with a gateway router classifier", () => {
    it("lists and verifies the committed classifier beside the engine's models", async () => {
        const config = configWith(undefined);
        const listed = await run(["list", "--config", config]);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toMatch(
            /^router\s+classifier\s.*classifier\.onnx\s+\(tiercel-router-features\/3, local < mid < frontier\)$/m,
        );
        const verified = await run(["verify", "--config", config]);
        expect(verified.code).toBe(0);
        expect(verified.stdout).toContain(
            "verified: sha256 and tokenizer compatibility (and the routing classifier's files)",
        );
    });

    it("verify fails on a word-vector table that is not the one the classifier's json pins", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-classifier-"));
        const json = defaultClassifierModelPath.replace(/\.onnx$/, ".json");
        copyFileSync(defaultClassifierModelPath, join(dir, "classifier.onnx"));
        writeFileSync(join(dir, "classifier.json"), readFileSync(json));
        const table = readFileSync(defaultWordVectorsPath);
        table[table.length - 1] = table[table.length - 1]! ^ 1;
        writeFileSync(join(dir, "word-vectors.bin"), table);
        const config = configWith(join(dir, "classifier.onnx"));
        // The json alone is fine: list still answers.
        expect((await run(["list", "--config", config])).code).toBe(0);
        const verified = await run(["verify", "--config", config]);
        expect(verified.code).toBe(1);
        expect(verified.stderr).toMatch(
            /word-vectors\.bin \(sha256 .*\) is not the word-vector table .*npm run models:router/,
        );
    });
});
