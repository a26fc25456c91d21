/**
 * `npm run gateway -- --config router.json` as a user runs it: the gateway alone in its own process, its
 * local tier a tiercel gRPC server elsewhere (here: the real app in this process) and a hosted tier (the
 * fake Anthropic API), both named in the config's `gateway.router` section. The official SDKs call it;
 * Claude Code's dated model ids reach their tiers through prefix aliases; `/readyz` follows the local
 * tier's gRPC health; the router's metrics are on its metrics port; SIGTERM
 * drains and exits 0.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    anthropicMessage,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import { runMain } from "../helpers/runMain.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let dir: string;
let server: TestServer | undefined;
let anthropic: FakeAnthropicServer;

beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-gateway-main-"));
    [server, anthropic] = await Promise.all([startTestServer(), startFakeAnthropicServer()]);
});

afterAll(async () => {
    await anthropic.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
});

describe("npm run gateway", () => {
    it("serves the config's tiers over HTTP from its own process, ready while the local tier answers", async () => {
        if (server === undefined) throw new Error("no local server");
        const configPath = join(dir, "router.json");
        await writeFile(
            configPath,
            JSON.stringify({
                gateway: {
                    // Claude Code's dated model ids, by prefix: its small/fast model to the local tier.
                    models: { "claude-*": "frontier", "claude-haiku-*": "local" },
                    router: {
                        providers: {
                            local: { type: "local", address: server.addresses.grpcAddress },
                            anthropic: {
                                type: "anthropic",
                                baseURL: anthropic.url,
                                apiKeyEnv: "TEST_ANTHROPIC_KEY",
                            },
                        },
                        tiers: [
                            { name: "local", targets: [{ provider: "local", model: "t" }] },
                            {
                                name: "frontier",
                                targets: [{ provider: "anthropic", model: "claude-sonnet-5-5" }],
                            },
                        ],
                    },
                },
            }),
        );
        const running = runMain(
            ["--config", configPath, "--http-port", "0", "--metrics-port", "0"],
            { TEST_ANTHROPIC_KEY: "sk-ant-test" },
            "src/gatewayMain.ts",
        );
        try {
            const ready = await running.ready();
            expect(ready.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
            expect((await fetch(`${ready.gateway}/healthz`)).status).toBe(200);
            // The classifier (none configured) settles asynchronously: ready within a few polls.
            let readyz = 0;
            for (let i = 0; i < 50 && readyz !== 200; i++) {
                readyz = (await fetch(`${ready.gateway}/readyz`)).status;
                if (readyz !== 200) await new Promise((r) => setTimeout(r, 20));
            }
            expect(readyz).toBe(200);

            const openai = new OpenAI({ baseURL: `${ready.gateway}/v1`, apiKey: "unused", maxRetries: 0 });
            const local = await openai.chat.completions
                .create({
                    model: "local",
                    messages: [{ role: "user", content: "def f(x):" }],
                    max_completion_tokens: 4,
                    temperature: 0,
                })
                .withResponse();
            expect(local.data.usage?.completion_tokens).toBe(4);
            expect(local.response.headers.get("x-tiercel-route")).toMatch(/^local\/local\/t; reason=/);

            anthropic.enqueue(
                anthropicMessage({ blocks: [{ type: "text", deltas: ["Hosted."] }], stopReason: "end_turn" }),
            );
            const client = new Anthropic({ baseURL: ready.gateway, apiKey: "unused", maxRetries: 0 });
            const hosted = await client.messages
                .create({
                    model: "claude-sonnet-4-5-20250929",
                    max_tokens: 16,
                    messages: [{ role: "user", content: "Say so." }],
                })
                .withResponse();
            expect(hosted.data.content).toEqual([{ type: "text", text: "Hosted.", citations: null }]);
            expect(hosted.response.headers.get("x-tiercel-route")).toMatch(
                /^frontier\/anthropic\/claude-sonnet-5-5; reason=/,
            );
            const small = await client.messages
                .create({
                    model: "claude-haiku-4-5-20251001",
                    max_tokens: 2,
                    messages: [{ role: "user", content: "Title?" }],
                })
                .withResponse();
            expect(small.response.headers.get("x-tiercel-route")).toMatch(/^local\/local\/t; reason=/);
            // The upstream key is the gateway's own, from its environment.
            expect(anthropic.requests.at(-1)?.headers["x-api-key"]).toBe("sk-ant-test");
            expect(anthropic.requests).toHaveLength(1);

            const metrics = await (await fetch(ready.metrics)).text();
            expect(metrics).toMatch(/tiercel_router_requests_total\{[^}]*tier="frontier"[^}]*\} 1/);

            // The local tier's server goes away: not ready (a balancer stops sending), still alive.
            await server.close();
            server = undefined;
            expect((await fetch(`${ready.gateway}/readyz`)).status).toBe(503);
            expect((await fetch(`${ready.gateway}/healthz`)).status).toBe(200);
        } finally {
            running.kill("SIGTERM");
        }
        expect(await running.exited).toBe(0);
    });
});
