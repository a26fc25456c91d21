/**
 * The package as a user gets it: `npm pack` (prepack builds dist/), installed into an empty folder, then
 * the `tiercel` command and `import ... from "tiercel"` from that folder, with no source tree around.
 * Slow (pack + install): run with `npm run test:package` (CI runs it after `npm test`).
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
// onnxruntime-node's install script would download CUDA binaries; older npms run it by default.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", npm_config_update_notifier: "false" };
let dir: string | undefined;
let app: string;

async function tiercel(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(join(app, "node_modules/.bin/tiercel"), args, { cwd: app, env });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), "tiercel-pkg-"));
    dir = root;
    app = join(root, "app");
    const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", root], {
        cwd: repoRoot,
        env,
    });
    const tarball = join(root, stdout.trim().split("\n").at(-1)!);
    await run("mkdir", [app]);
    await writeFile(
        join(app, "package.json"),
        JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: app, env });
}, 600_000);

afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("the installed package", () => {
    it("is importable by name, with the router, the app and the proto", async () => {
        const script = `import * as t from "tiercel";
console.log(JSON.stringify([typeof t.createRouter, typeof t.createApp, typeof t.loadInferenceProto,
  typeof t.loadInferenceProto().grpcObject.tiercel.v1.Inference]));`;
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
            cwd: app,
            env,
        });
        expect(JSON.parse(stdout)).toEqual(["function", "function", "function", "function"]);
    });

    it("routes by its bundled learned classifier (ONNX model and word-vector table from the package)", async () => {
        const script = `import { createRouter } from "tiercel";
const target = (model) => ({ provider: "p", model });
const router = createRouter({
  providers: { p: { type: "anthropic" } },
  tiers: [{ name: "local", targets: [target("l")] }, { name: "mid", targets: [target("m")] },
    { name: "frontier", targets: [target("f")] }],
  policy: { defaultTier: "mid" },
  classifier: {},
}, { env: { ANTHROPIC_API_KEY: "k" } });
const decided = await router.decide({ messages: [{ role: "user", content: "Design a sharded job queue with exactly-once delivery across regions." }] });
console.log("DECIDED " + JSON.stringify([decided.routing_reason, typeof decided.classifier_score]));
await router.close();`;
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
            cwd: app,
            env,
        });
        const line = stdout.split("\n").find((l) => l.startsWith("DECIDED "));
        expect(JSON.parse(line!.slice("DECIDED ".length))).toEqual(["classifier:learned", "number"]);
    });

    it("`tiercel models verify` checks the bundled pair; unknown commands exit 2 with the usage", async () => {
        const verify = await tiercel("models", "verify");
        expect(verify.code).toBe(0);
        expect(verify.stdout).toMatch(/^target\s+tiercel-code-target/m);
        expect(verify.stdout).toMatch(/^draft\s+tiercel-code-draft.*identical, direct/m);
        const bogus = await tiercel("bogus");
        expect(bogus.code).toBe(2);
        expect(bogus.stderr).toContain('unknown command "bogus"');
        expect((await tiercel("bench")).code).toBe(2);
    });

    it("`tiercel serve` serves the bundled models; healthcheck says SERVING; a Generate call answers", async () => {
        const child = spawn(
            join(app, "node_modules/.bin/tiercel"),
            ["serve", "--grpc-port", "0", "--metrics-port", "0"],
            {
                cwd: app,
                env,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        try {
            let output = "";
            const address = await new Promise<string>((resolve, reject) => {
                const onData = (data: Buffer): void => {
                    output += data.toString();
                    const match = /ready: gRPC on (\S+),/.exec(output);
                    if (match) resolve(match[1]!);
                };
                child.stdout.on("data", onData);
                child.stderr.on("data", onData);
                void exited.then(() => {
                    reject(new Error(`serve exited before ready:\n${output}`));
                });
            });
            const health = await tiercel("healthcheck", "--address", address);
            expect(health.stdout.trim()).toBe(`${address}: SERVING`);
            // A client written as the README shows, run from the user's folder (not the repository).
            const client = `import { credentials } from "@grpc/grpc-js";
import { loadInferenceProto } from "tiercel";
const { grpcObject } = loadInferenceProto();
const c = new grpcObject.tiercel.v1.Inference(${JSON.stringify(address)}, credentials.createInsecure());
c.Generate({ prompt: "def add(a, b):", max_tokens: 8 }, (err, res) => {
  if (err) { console.error(err.message); process.exit(1); }
  console.log(JSON.stringify({ tokens: res.usage.completion_tokens, finish: res.finish_reason }));
  c.close();
});`;
            const { stdout } = await run(process.execPath, ["--input-type=module", "-e", client], {
                cwd: app,
                env,
            });
            const answer = JSON.parse(stdout) as { tokens: number; finish: string };
            expect(answer.tokens).toBeGreaterThan(0);
            expect(answer.finish).toMatch(/^FINISH_REASON_(LENGTH|EOS|STOP_SEQUENCE)$/);
        } finally {
            child.kill("SIGTERM");
        }
        expect(await exited).toBe(0);
    });
});
