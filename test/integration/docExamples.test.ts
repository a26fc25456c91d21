/**
 * Every code example in README.md and docs/ runs here, so the documentation cannot rot:
 * - ```ts blocks run as modules against the bundled models served by createApp (gRPC + gateway on free
 *   ports); the documented addresses (127.0.0.1:50051, http://127.0.0.1:8080) are replaced by the real
 *   ones and `from "tiercel"` resolves to this source tree (the package test covers the installed build);
 * - ```json blocks preceded by `<!-- config -->` parse with the server config schema, and by
 *   `<!-- router-config -->` with the router's.
 * A block preceded by `<!-- not-run: reason -->` is skipped, and the reason must say why.
 */
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App, type AppAddresses } from "../../src/app.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { parseRouterConfig } from "../../src/router/config.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const workDir = join(repoRoot, "scratch/doc-examples");

interface Example {
    file: string;
    line: number;
    lang: string;
    marker: string | undefined;
    code: string;
}

async function docFiles(): Promise<string[]> {
    const docs = await readdir(join(repoRoot, "docs")).catch(() => [] as string[]);
    return [
        join(repoRoot, "README.md"),
        ...docs.filter((f) => f.endsWith(".md")).map((f) => join(repoRoot, "docs", f)),
    ];
}

function examplesOf(file: string, text: string): Example[] {
    const out: Example[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^```(\w+)\s*$/.exec(lines[i]!);
        if (!open) continue;
        const end = lines.indexOf("```", i + 1);
        const previous = lines
            .slice(0, i)
            .reverse()
            .find((l) => l.trim() !== "");
        const marker = /^<!-- (.+?) -->$/.exec(previous?.trim() ?? "")?.[1];
        out.push({
            file: relative(repoRoot, file),
            line: i + 1,
            lang: open[1]!,
            marker,
            code: lines.slice(i + 1, end).join("\n"),
        });
        i = end;
    }
    return out;
}

const all: Example[] = [];
for (const file of await docFiles()) all.push(...examplesOf(file, await readFile(file, "utf8")));
const runnable = all.filter(
    (e) => (e.lang === "ts" || e.lang === "typescript") && !e.marker?.startsWith("not-run"),
);
const configs = all.filter(
    (e) => e.lang === "json" && (e.marker === "config" || e.marker === "router-config"),
);

let app: App;
let addresses: AppAddresses;
beforeAll(async () => {
    const { testConfigInput } = await import("../helpers/startTestServer.js");
    // The bundled pair, as the README's reader has it (the test fixtures are other models).
    const input = await testConfigInput();
    const config = parseConfig({ engine: input.engine, server: input.server }, "doc examples");
    app = createApp(config, { baseDir: repoRoot, env: {} });
    addresses = await app.start();
    await mkdir(workDir, { recursive: true });
});
afterAll(async () => {
    await app.stop();
    await rm(workDir, { recursive: true, force: true });
});

describe("documentation examples", () => {
    it("finds the examples, and every skipped one says why", () => {
        expect(runnable.length).toBeGreaterThanOrEqual(3);
        for (const e of all.filter((x) => x.marker?.startsWith("not-run"))) {
            expect(e.marker, `${e.file}:${e.line}`).toMatch(/^not-run: .{10,}/);
        }
    });

    it.each(configs.map((e) => [`${e.file}:${e.line}`, e] as const))("%s parses", (_name, e) => {
        const value = JSON.parse(e.code) as unknown;
        if (e.marker === "config") parseConfig(value, e.file);
        else parseRouterConfig(value, e.file);
    });

    it.each(runnable.map((e) => [`${e.file}:${e.line}`, e] as const))("%s runs", async (name, e) => {
        const code = e.code
            .replaceAll("127.0.0.1:50051", addresses.grpcAddress)
            .replaceAll("http://127.0.0.1:8080", addresses.gatewayUrl)
            .replaceAll(
                'from "tiercel"',
                `from ${JSON.stringify(pathToFileURL(join(repoRoot, "src/index.ts")).href)}`,
            );
        const path = join(workDir, `${name.replace(/[^\w]+/g, "_")}.ts`);
        await writeFile(path, code);
        await import(pathToFileURL(path).href);
    });
});
