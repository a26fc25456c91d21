/**
 * The gateway's integration fixture: the real app (its engine on the tiny fixture GGUFs, one thread,
 * and its own gateway with the default local-only tiering), fake Anthropic and OpenAI servers, and a
 * second gateway over a router with all three tiers (local → Anthropic → OpenAI) and a gateway key,
 * started once per file. Registers its own vitest hooks; call it at a test file's top level. Also the
 * pieces every gateway test file uses: a gateway on loopback (`startTestGateway`), the official SDKs as
 * its clients, and the gRPC server's own answer to the shared Python prompt.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startGateway, type Gateway, type GatewayOptions } from "../../src/gateway/startGateway.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import { startFakeAnthropicServer, type FakeAnthropicServer } from "./fakeAnthropicServer.js";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "./fakeOpenAIServer.js";
import { startTestServer, type TestServer } from "./startTestServer.js";

export const gatewayKey = "gw-test-key-0123456789abcdef";

/**
 * A gateway over `router` on a free loopback port with the tests' limits and its own metrics registry;
 * `options` override them.
 */
export function startTestGateway(router: Router, options: Partial<GatewayOptions> = {}): Promise<Gateway> {
    return startGateway({
        router,
        host: "127.0.0.1",
        port: 0,
        keys: [],
        maxBodyBytes: 64 * 1024,
        registry: new Registry(),
        ready: () => true,
        logger: silentLogger,
        ...options,
    });
}

/**
 * A router whose one tier, `mid`, is the fake Anthropic server at `anthropicUrl` (no engine, no retries):
 * for tests of the gateway's HTTP layer, whichever face a request comes through.
 */
export function hostedTestRouter(anthropicUrl: string): Router {
    return createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropicUrl, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [{ name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] }],
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
        },
        { env: { TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key" }, logger: silentLogger },
    );
}

/** The official OpenAI SDK pointed at a gateway (no retries: a test sees each response). */
export const openaiClient = (gatewayUrl: string, apiKey = "unused"): OpenAI =>
    new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey, maxRetries: 0 });

/**
 * The official Anthropic SDK pointed at a gateway: with `authToken`, the key travels as Claude Code sends
 * ANTHROPIC_AUTH_TOKEN (Bearer); without, an unused `x-api-key` (the SDK insists on one).
 */
export const anthropicClient = (gatewayUrl: string, authToken?: string): Anthropic =>
    authToken === undefined
        ? new Anthropic({ baseURL: gatewayUrl, apiKey: "unused", maxRetries: 0 })
        : new Anthropic({ baseURL: gatewayUrl, authToken, apiKey: null, maxRetries: 0 });

/** The prompt the gateway tests send to the local tier, as system and user text. */
export const pythonPrompt = { system: "You complete Python.", user: "def fib(n):", maxTokens: 12 } as const;

export interface GatewayFixture {
    /** The app; `server.addresses.gatewayUrl` is its own gateway (local tier only, no keys). */
    readonly server: TestServer;
    readonly anthropic: FakeAnthropicServer;
    readonly openai: FakeOpenAIServer;
    /** The three-tier gateway (requires `gatewayKey`). */
    readonly gateway: Gateway;
    readonly router: Router;
    /** The gRPC server's own Generate answer to `pythonPrompt` at temperature 0 (what the gateway must match). */
    generatePython(): ReturnType<TestServer["generate"]>;
}

export function tieredRouterConfig(
    localAddress: string,
    anthropicUrl: string,
    openaiUrl: string,
): RouterConfigInput {
    return {
        providers: {
            local: { type: "local", address: localAddress },
            anthropic: { type: "anthropic", baseURL: anthropicUrl, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            openai: { type: "openai", baseURL: `${openaiUrl}/v1`, apiKeyEnv: "TEST_OPENAI_KEY" },
        },
        tiers: [
            { name: "local", targets: [{ provider: "local", model: "t" }] },
            { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
            { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
        ],
        policy: {
            defaultTier: "local",
            rules: [{ name: "stalled_agent", tier: "frontier", when: { minToolErrorStreak: 2 } }],
        },
        reliability: { maxRetries: 0, backoffBaseMs: 1 },
        cache: { enabled: false },
    };
}

export function useGatewayFixture(): GatewayFixture {
    let fixture: Omit<GatewayFixture, "generatePython"> | undefined;

    beforeAll(async () => {
        // threads: 1 — two llama.cpp threads on this shared 2-core machine are ~100x slower (FACTS.md).
        const [server, anthropic, openai] = await Promise.all([
            startTestServer({ engine: { threads: 1 } }),
            startFakeAnthropicServer(),
            startFakeOpenAIServer(),
        ]);
        const router = createRouter(
            tieredRouterConfig(server.addresses.grpcAddress, anthropic.url, openai.url),
            {
                env: {
                    TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key",
                    TEST_OPENAI_KEY: "sk-test-upstream-key",
                },
                logger: silentLogger,
            },
        );
        const gateway = await startTestGateway(router, {
            keys: [gatewayKey],
            aliases: { "claude-opus-5-5": "auto", "claude-sonnet-5-5": "local" },
        });
        fixture = { server, anthropic, openai, gateway, router };
    });

    afterEach(() => {
        fixture?.anthropic.reset();
        fixture?.openai.reset();
    });

    afterAll(async () => {
        await fixture?.gateway.close();
        await fixture?.router.close();
        await Promise.all([fixture?.server.close(), fixture?.anthropic.close(), fixture?.openai.close()]);
    });

    const started = (): Omit<GatewayFixture, "generatePython"> => {
        if (fixture === undefined) throw new Error("the servers start in beforeAll");
        return fixture;
    };
    return {
        get server() {
            return started().server;
        },
        get anthropic() {
            return started().anthropic;
        },
        get openai() {
            return started().openai;
        },
        get gateway() {
            return started().gateway;
        },
        get router() {
            return started().router;
        },
        generatePython: () =>
            started().server.generate({
                messages: [
                    { role: "system", content: pythonPrompt.system },
                    { role: "user", content: pythonPrompt.user },
                ],
                model: "t",
                max_tokens: pythonPrompt.maxTokens,
                temperature: 0,
            }),
    };
}
