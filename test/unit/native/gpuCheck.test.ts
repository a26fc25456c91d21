import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const script = resolve(root, "native/gpu-check.sh");

/** native/gpu-check.sh --dry-run: every step it would run, nothing run. */
function dryRun(args: string[], env: Record<string, string> = {}): string {
    return execFileSync("bash", [script, "--dry-run", ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, ...env },
    });
}

describe("native/gpu-check.sh (the GPU check's one command)", () => {
    it("parses, as does the payload script", () => {
        for (const file of ["native/gpu-check.sh", "native/gpu-payload.sh"])
            expect(() => execFileSync("bash", ["-n", resolve(root, file)])).not.toThrow();
    });

    it("builds node-llama-cpp's CUDA backend for the requested architecture only, then runs the bench on CUDA", () => {
        const out = dryRun([], { CUDA_ARCHITECTURES: "90", GPU_CHECK_JOBS: "16" });
        const cmake = out.split("\n").find((line) => line.includes("$ cmake -S"));
        expect(cmake).toBeDefined();
        expect(cmake).toContain("node_modules/node-llama-cpp/llama");
        expect(cmake).toContain("-DGGML_CUDA=ON");
        expect(cmake).toContain("-DCMAKE_CUDA_ARCHITECTURES=90-real");
        expect(cmake).toContain("-DCMAKE_JS_INC=");
        // No download or npm step: node-llama-cpp's CMakeLists built directly, nothing fetched.
        expect(cmake).toContain("-DLLAMA_CURL=OFF");
        expect(out).toMatch(/\$ cmake --build .* --target llama-addon -j 16/);
        expect(out).toContain("node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda");
        expect(out).toContain("$ node --import tsx bench/gpuCheck.ts --gpu cuda");
        // The cost-scaled target is written beside the build, at the bench's size.
        expect(out).toContain(
            "$ node --import tsx models/build/widenTarget.ts --factor 12 --layers 48 --check 0",
        );
        expect(dryRun(["--", "--width", "16", "--layers", "32"])).toContain("--factor 16 --layers 32");
    });

    it("makes the source build read TIERCEL_KV_UNIFIED (before cmake; once, however often it runs)", () => {
        const out = dryRun([], { CUDA_ARCHITECTURES: "90" });
        expect(out.indexOf("$ patch_kv_unified_switch")).toBeGreaterThanOrEqual(0);
        expect(out.indexOf("$ patch_kv_unified_switch")).toBeLessThan(out.indexOf("$ cmake -S"));
        // On a copy of node-llama-cpp's addon source, run twice.
        const project = mkdtempSync(join(tmpdir(), "tiercel-kvu-"));
        const addon = join(project, "node_modules/node-llama-cpp/llama/addon");
        mkdirSync(addon, { recursive: true });
        const source = resolve(root, "node_modules/node-llama-cpp/llama/addon/AddonContext.cpp");
        // A source build made here (native/build-cpu.sh) has patched the installed file: the copy is put
        // back to node-llama-cpp's text first.
        const original = readFileSync(source, "utf8")
            .replace(/^#include <cstdlib>\n#include <string>\n/, "")
            .replace(
                /context_params\.kv_unified = std::getenv\("TIERCEL_KV_UNIFIED"\)[^;]*;/,
                "context_params.kv_unified = false;",
            );
        expect(original).toContain("context_params.kv_unified = false;");
        writeFileSync(join(addon, "AddonContext.cpp"), original);
        const patch = `source native/lib.sh; PROJECT_DIR="$1"; patch_kv_unified_switch; patch_kv_unified_switch`;
        execFileSync("bash", ["-c", patch, "patch", project], { cwd: root, encoding: "utf8" });
        const patched = readFileSync(join(addon, "AddonContext.cpp"), "utf8");
        expect(patched).not.toContain("context_params.kv_unified = false;");
        expect(
            patched.match(/context_params\.kv_unified = std::getenv\("TIERCEL_KV_UNIFIED"\)/g),
        ).toHaveLength(1);
        expect(patched.match(/#include <cstdlib>/g)).toHaveLength(1);
    });

    it("--cpu is the same entry point without the build, at small sizes", () => {
        const out = dryRun(["--cpu"]);
        expect(out).not.toContain("$ cmake");
        expect(out).not.toContain("widenTarget.ts");
        expect(out).toContain("$ node --import tsx bench/gpuCheck.ts --gpu false --small");
    });

    it("passes what follows -- to the bench (a second call on a warm machine: phases, systems, a tag)", () => {
        const out = dryRun(["--", "--phases", "large", "--systems", "off,draft k=4", "--tag", "w16"]);
        expect(out).toContain(
            "$ node --import tsx bench/gpuCheck.ts --gpu cuda --phases large --systems off\\,draft\\ k=4 --tag w16",
        );
    });

    it("refuses an unknown argument with what to use instead", () => {
        expect(() =>
            execFileSync("bash", [script, "--fast"], { cwd: root, encoding: "utf8", stdio: "pipe" }),
        ).toThrow(/use --dry-run, --cpu/);
    });
});
