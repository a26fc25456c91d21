/**
 * The gateway's HTTP request metrics, read from its registry after requests through the official SDKs
 * (a hosted tier on the fake Anthropic server, no engine): a 2xx and 4xx counted by route template,
 * protocol and status, unknown paths under one `unmatched` route, a client leaving before any status as
 * 499 (its request cancelled upstream), the duration histogram, and the in-flight gauge back at zero.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import type { Router } from "../../src/router/ModelRouter.js";
import {
    anthropicFrames,
    anthropicMessage,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import {
    anthropicClient,
    gatewayKey,
    hostedTestRouter,
    openaiClient,
    startTestGateway,
} from "../helpers/gatewayFixture.js";

let anthropic: FakeAnthropicServer;
let router: Router;
let gateway: Gateway;
const registry = new Registry();

beforeAll(async () => {
    anthropic = await startFakeAnthropicServer();
    router = hostedTestRouter(anthropic.url);
    gateway = await startTestGateway(router, { keys: [gatewayKey], registry });
});

afterEach(() => {
    anthropic.reset();
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await anthropic.close();
});

/** The value of one sample, e.g. `tiercel_gateway_requests_total{route="/v1/messages",...}`. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const metric = registry.getSingleMetric(name);
    const values = (await metric?.get())?.values ?? [];
    const match = values.find((v) =>
        Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
    );
    return match?.value;
}

describe("gateway HTTP metrics", () => {
    it("counts a 2xx and a 4xx by route template, protocol and status", async () => {
        anthropic.enqueue(anthropicMessage(anthropicText("4")));
        await anthropicClient(gateway.url, gatewayKey).messages.create({
            model: "auto",
            max_tokens: 8,
            messages: [{ role: "user", content: "2 + 2?" }],
        });
        const refused = await openaiClient(gateway.url, "wrong-key-0123456789")
            .chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }] })
            .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
        const missing = await anthropicClient(gateway.url, gatewayKey)
            .messages.create({ model: "gpt-9", max_tokens: 8, messages: [{ role: "user", content: "x" }] })
            .catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(Anthropic.NotFoundError);

        const requests = "tiercel_gateway_requests_total";
        expect(await sample(requests, { route: "/v1/messages", protocol: "anthropic", status: "200" })).toBe(
            1,
        );
        expect(await sample(requests, { route: "/v1/messages", protocol: "anthropic", status: "404" })).toBe(
            1,
        );
        expect(
            await sample(requests, { route: "/v1/chat/completions", protocol: "openai", status: "401" }),
        ).toBe(1);
        const text = await registry.getSingleMetricAsString("tiercel_gateway_request_duration_seconds");
        expect(text).toContain(
            'tiercel_gateway_request_duration_seconds_count{route="/v1/messages",protocol="anthropic"} 2',
        );
        expect(await sample("tiercel_gateway_requests_in_flight", { route: "/v1/messages" })).toBe(0);
    });

    it("puts every unknown path under one route label, never the raw URL", async () => {
        for (const path of ["/v1/nope", "/v1/nope?secret=1", "/admin"])
            expect((await fetch(`${gateway.url}${path}`)).status).toBe(404);
        expect(
            await sample("tiercel_gateway_requests_total", {
                route: "unmatched",
                protocol: "openai",
                status: "404",
            }),
        ).toBe(3);
        const text = await registry.getSingleMetricAsString("tiercel_gateway_requests_total");
        expect(text).not.toContain("nope");
        expect(text).not.toContain("admin");
    });

    it("counts a client that leaves before any status as 499, and the request is cancelled upstream", async () => {
        const frames = anthropicFrames(anthropicText("too late"));
        const contentAt = frames.findIndex((f) => f.event === "content_block_delta");
        frames[contentAt] = { ...frames[contentAt]!, delayMs: 10_000 };
        anthropic.enqueue({ kind: "sse", frames });
        const leaving = new AbortController();
        const call = anthropicClient(gateway.url, gatewayKey)
            .messages.create(
                { model: "auto", max_tokens: 8, messages: [{ role: "user", content: "slow" }], stream: true },
                { signal: leaving.signal },
            )
            .catch((e: unknown) => e);
        // The gateway holds its status until the first token, which the fake holds back.
        await expect.poll(() => anthropic.requests.length).toBe(1);
        leaving.abort();
        expect(await call).toBeInstanceOf(Anthropic.APIUserAbortError);
        await expect
            .poll(() =>
                sample("tiercel_gateway_requests_total", {
                    route: "/v1/messages",
                    protocol: "anthropic",
                    status: "499",
                }),
            )
            .toBe(1);
        await expect.poll(() => anthropic.clientAborts).toBe(1);
        expect(await sample("tiercel_gateway_requests_in_flight", { route: "/v1/messages" })).toBe(0);
    });

    it("labels health probes with protocol none", async () => {
        await fetch(`${gateway.url}/healthz`);
        expect(
            await sample("tiercel_gateway_requests_total", {
                route: "/healthz",
                protocol: "none",
                status: "200",
            }),
        ).toBe(1);
    });
});
