/**
 * `model: "auto"` through the gateway with a `classifier` section: the committed learned classifier
 * (ONNX model, word-vector table, piscina worker) decides the tier of requests no rule matched, for the
 * Anthropic SDK (Messages) and the OpenAI SDK (Chat Completions), and the route header says so. The tiers
 * are three models on one fake Anthropic server, so which tier answered shows in the upstream's request.
 */
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicMessage,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import { anthropicClient, gatewayKey, openaiClient, startTestGateway } from "../helpers/gatewayFixture.js";

let upstream: FakeAnthropicServer;
let router: Router;
let gateway: Gateway;

const easy =
    "Add a docstring to `parseUser`.\n```ts\nexport function parseUser(s: string) { return JSON.parse(s); }\n```";
const hard =
    "Review the architecture of our ingestion pipeline and the security of its auth layer across the codebase; design a migration plan to an event-sourced system with zero downtime. It deadlocks intermittently in production.";

beforeAll(async () => {
    upstream = await startFakeAnthropicServer();
    const tier = (name: string) => ({
        name,
        targets: [{ provider: "anthropic", model: `model-${name}` }],
    });
    router = createRouter(
        {
            providers: { anthropic: { type: "anthropic", baseURL: upstream.url, apiKeyEnv: "TEST_KEY" } },
            tiers: [tier("local"), tier("mid"), tier("frontier")],
            policy: {
                defaultTier: "mid",
                rules: [{ name: "paged", tier: "mid", when: { keywords: ["pagerduty"] } }],
            },
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
            classifier: { timeoutMs: 10_000 },
        },
        { env: { TEST_KEY: "sk-ant-test" }, logger: silentLogger },
    );
    gateway = await startTestGateway(router, { keys: [gatewayKey], registry: new Registry() });
});

afterEach(() => {
    upstream.reset();
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await upstream.close();
});

describe("model auto with the learned classifier", () => {
    it("Messages: an easy edit goes to the local tier, a design and security review to frontier", async () => {
        const claude = anthropicClient(gateway.url, gatewayKey);
        for (const [text, tier] of [
            [easy, "local"],
            [hard, "frontier"],
        ] as const) {
            upstream.enqueue(anthropicMessage(anthropicText("ok")));
            const { response } = await claude.messages
                .create({ model: "auto", max_tokens: 8, messages: [{ role: "user", content: text }] })
                .withResponse();
            expect(response.headers.get("x-tiercel-route")).toBe(
                `${tier}/anthropic/model-${tier}; reason=classifier:learned`,
            );
            expect(upstream.requests.at(-1)!.body).toMatchObject({ model: `model-${tier}` });
        }
    });

    it("Chat Completions: the same decisions; a matching rule still decides first", async () => {
        const gpt = openaiClient(gateway.url, gatewayKey);
        upstream.enqueue(anthropicMessage(anthropicText("ok")));
        const decided = await gpt.chat.completions
            .create({ model: "auto", max_completion_tokens: 8, messages: [{ role: "user", content: hard }] })
            .withResponse();
        expect(decided.response.headers.get("x-tiercel-route")).toBe(
            "frontier/anthropic/model-frontier; reason=classifier:learned",
        );
        upstream.enqueue(anthropicMessage(anthropicText("ok")));
        const ruled = await gpt.chat.completions
            .create({
                model: "auto",
                max_completion_tokens: 8,
                messages: [{ role: "user", content: `Paged by pagerduty. ${hard}` }],
            })
            .withResponse();
        expect(ruled.response.headers.get("x-tiercel-route")).toBe(
            "mid/anthropic/model-mid; reason=rule:paged",
        );
    });
});
