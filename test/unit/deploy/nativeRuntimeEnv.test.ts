/**
 * native/lib.sh `write_runtime_env`: the cmake options of a source build, written so that sourcing the file
 * (deploy/docker-entrypoint.sh, or by hand before `npm start`) restores them exactly; node-llama-cpp finds
 * the build only under those options.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tiercel-native-"));
afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
});

function bash(script: string, env: Record<string, string> = {}): string {
    const result = spawnSync("bash", ["-c", script], {
        cwd: root,
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`bash failed (${result.status}): ${result.stderr}`);
    return result.stdout;
}

describe("write_runtime_env", () => {
    it("writes every profile option, and the architecture list survives sourcing despite its semicolons", () => {
        bash(
            `source native/lib.sh
             export_profile_for_node_llama_cpp cuda
             export NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES="$ARCHS"
             NATIVE_DIR="$OUT" write_runtime_env >/dev/null`,
            { OUT: dir, ARCHS: "80;90" },
        );
        const file = join(dir, "build", "runtime.env");
        expect(readFileSync(file, "utf8")).toContain("NODE_LLAMA_CPP_CMAKE_OPTION_GGML_CUDA='ON'");
        // What the entrypoint does: `set -a; . runtime.env; set +a` in sh.
        const restored = spawnSync("sh", ["-c", `set -a; . "${file}"; set +a; env`], { encoding: "utf8" });
        const vars = Object.fromEntries(
            restored.stdout
                .split("\n")
                .filter((l) => l.startsWith("NODE_LLAMA_CPP_CMAKE_OPTION_"))
                .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        expect(vars).toEqual({
            NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES: "80;90",
            NODE_LLAMA_CPP_CMAKE_OPTION_GGML_CUDA: "ON",
            NODE_LLAMA_CPP_CMAKE_OPTION_GGML_NATIVE: "OFF",
        });
    });
});
