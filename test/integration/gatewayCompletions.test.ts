/**
 * `POST /v1/completions` driven by the official `openai` SDK (`client.completions.create`), as editors
 * use it for autocomplete: fill-in-the-middle on a local tier whose gRPC server serves a tiny
 * Qwen2.5-Coder-family GGUF (real FIM tokens; models/build/buildFamilyFixtures.ts) answers the middle
 * the server's own Generate answers, streamed and unary alike; a plain completion on the fixture target;
 * a target without FIM tokens, a router without a local tier and bad input each get a 400 saying why.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import { startFakeAnthropicServer, type FakeAnthropicServer } from "../helpers/fakeAnthropicServer.js";
import {
    hostedTestRouter,
    openaiClient,
    startTestGateway,
    tieredRouterConfig,
} from "../helpers/gatewayFixture.js";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../helpers/fakeOpenAIServer.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

const prefix = "def add(a, b):\n    ";
const suffix = "\n\nprint(add(1, 2))\n";
const maxTokens = 24;

let fimServer: TestServer;
let plainServer: TestServer;
let anthropic: FakeAnthropicServer;
let openai: FakeOpenAIServer;
const routers: Router[] = [];
const gateways: Gateway[] = [];
/** Gateways over: the FIM server's tiers, the fixture target's tiers, hosted tiers only. */
let fim: OpenAI;
let plain: OpenAI;
let hostedOnly: OpenAI;

async function gatewayOver(router: Router): Promise<OpenAI> {
    routers.push(router);
    const gateway = await startTestGateway(router);
    gateways.push(gateway);
    return openaiClient(gateway.url);
}

function tieredRouter(grpcAddress: string): Router {
    return createRouter(tieredRouterConfig(grpcAddress, anthropic.url, openai.url), {
        env: { TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key", TEST_OPENAI_KEY: "sk-test-upstream-key" },
        logger: silentLogger,
    });
}

beforeAll(async () => {
    const families = await ensureFamilyFixtures();
    // threads: 1 — two llama.cpp threads on a shared 2-core machine are far slower (FACTS.md).
    [fimServer, plainServer, anthropic, openai] = await Promise.all([
        startTestServer({
            models: {
                target: { id: "t", path: families.qwen25coder.target },
                drafts: [{ id: "same-family", path: families.qwen25coder.draft }],
            },
            engine: { contextSize: 1024, sequences: 1, threads: 1 },
            speculation: { stateFile: null },
        }),
        startTestServer({ engine: { sequences: 1, threads: 1 } }),
        startFakeAnthropicServer(),
        startFakeOpenAIServer(),
    ]);
    fim = await gatewayOver(tieredRouter(fimServer.addresses.grpcAddress));
    plain = await gatewayOver(tieredRouter(plainServer.addresses.grpcAddress));
    hostedOnly = await gatewayOver(hostedTestRouter(anthropic.url));
}, 600_000);

afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(routers.map((r) => r.close()));
    await Promise.all([fimServer.close(), plainServer.close(), anthropic.close(), openai.close()]);
});

/** What a request must fail with: the SDK's 400 with a message matching `message`. */
async function expect400(request: Promise<unknown>, message: RegExp): Promise<void> {
    const error = await request.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(message);
}

describe("POST /v1/completions", () => {
    it("fills in the middle on the local tier: the server's own infill answer, usage and the route", async () => {
        const expected = await fimServer.generate({
            model: "t",
            prompt: prefix,
            suffix,
            max_tokens: maxTokens,
            temperature: 0,
        });
        expect(expected.text).not.toBe("");
        const { data, response } = await fim.completions
            .create({ model: "auto", prompt: prefix, suffix, max_tokens: maxTokens, temperature: 0 })
            .withResponse();
        expect(data.object).toBe("text_completion");
        expect(data.choices).toHaveLength(1);
        expect(data.choices[0]?.text).toBe(expected.text);
        expect(data.choices[0]?.finish_reason).toBe(
            expected.finish_reason === "FINISH_REASON_LENGTH" ? "length" : "stop",
        );
        expect(data.usage).toEqual({
            prompt_tokens: expected.usage?.prompt_tokens,
            completion_tokens: expected.usage?.completion_tokens,
            total_tokens: expected.usage!.prompt_tokens + expected.usage!.completion_tokens,
            // The same infill prompt right after: all but its last token come from the KV cache.
            prompt_tokens_details: { cached_tokens: expected.usage!.prompt_tokens - 1 },
        });
        expect(response.headers.get("x-tiercel-route")).toMatch(/^local\/local\/t; reason=/);
        expect(anthropic.requests).toHaveLength(0);
        expect(openai.requests).toHaveLength(0);
    });

    it("streams the unary text as text_completion chunks, then the usage chunk with include_usage", async () => {
        const params = { model: "auto", prompt: [prefix], suffix, max_tokens: maxTokens, temperature: 0 };
        const unary = await fim.completions.create(params);
        const stream = await fim.completions.create({
            ...params,
            stream: true,
            stream_options: { include_usage: true },
        });
        const chunks: OpenAI.Completion[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        expect(new Set(chunks.map((c): string => c.object))).toEqual(new Set(["text_completion"]));
        expect(chunks.map((c) => c.choices[0]?.text ?? "").join("")).toBe(unary.choices[0]?.text);
        // The SDK types finish_reason as never null; on the wire every chunk but the finish chunk has null.
        const finishes = chunks.flatMap((c) =>
            c.choices.map((choice): string | null => choice.finish_reason),
        );
        expect(finishes.filter((f) => f !== null)).toEqual([unary.choices[0]?.finish_reason]);
        expect(finishes.at(0)).toBeNull();
        expect(chunks.at(-1)?.choices).toEqual([]);
        expect(chunks.at(-1)?.usage).toEqual(unary.usage);
    });

    it("completes a prompt without a suffix on a target without FIM tokens (a plain completion)", async () => {
        const prompt = "def fib(n):";
        const expected = await plainServer.generate({ model: "t", prompt, max_tokens: 12, temperature: 0 });
        const answer = await plain.completions.create({
            model: "auto",
            prompt,
            max_tokens: 12,
            temperature: 0,
            top_p: 0.9,
            seed: 7,
            stop: ["\n\n\n"],
        });
        expect(answer.choices[0]?.text).toBe(expected.text);
    });

    it("answers a suffix for a target without FIM tokens with a 400 saying so", async () => {
        await expect400(
            plain.completions.create({ model: "auto", prompt: prefix, suffix, max_tokens: 4 }),
            /^400 .*no fill-in-the-middle tokens.*leave suffix unset/,
        );
        expect(anthropic.requests).toHaveLength(0);
        expect(openai.requests).toHaveLength(0);
    });

    it("answers a 400 saying FIM needs the local tier when only hosted tiers are configured", async () => {
        for (const request of [{ suffix }, {}]) {
            await expect400(
                hostedOnly.completions.create({ model: "auto", prompt: prefix, max_tokens: 4, ...request }),
                /no configured target can serve this request.*text completion and fill-in-the-middle need the local tier/,
            );
        }
        expect(anthropic.requests).toHaveLength(0);
    });

    it("refuses what it cannot answer with a 400 naming the field", async () => {
        const cases: [Partial<OpenAI.CompletionCreateParamsNonStreaming>, RegExp][] = [
            [{ prompt: null }, /`prompt` is required/],
            [{ prompt: ["a", "b"] }, /`prompt`: 2 prompts in one request .*one request per prompt/],
            [{ prompt: [1, 2, 3] }, /`prompt`: token arrays are not supported/],
            [{ n: 2 }, /`n`: only n = 1/],
            [{ echo: true }, /`echo`/],
            [{ logprobs: 2 }, /`logprobs`/],
            [{ best_of: 3 }, /`best_of`/],
            [{ max_tokens: 0 }, /max_tokens/],
        ];
        for (const [change, message] of cases) {
            await expect400(
                fim.completions.create({ model: "auto", prompt: prefix, suffix, ...change } as never),
                message,
            );
        }
    });
});
