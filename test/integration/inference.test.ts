/**
 * The gRPC API end to end: a real server on loopback, the real engine on tiny random-weight GGUFs, the
 * official @grpc/grpc-js client.
 */
import { Client, credentials, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import { inferenceServiceName, loadInferenceProto } from "../../src/grpc/loadProto.js";
import { errorCodeMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import {
    expectGrpcError,
    metricValue,
    startTestServer,
    statusName,
    type ReflectionResponse,
    type TestServer,
} from "../helpers/startTestServer.js";

const prompt = "def fib(n):";
let server: TestServer;

beforeAll(async () => {
    server = await startTestServer();
});

afterAll(async () => {
    await server.close();
});

function joinChunks(chunks: readonly GenerateChunk__Output[]) {
    return { text: chunks.map((c) => c.text).join(""), tokens: chunks.flatMap((c) => c.token_ids) };
}

describe("health and reflection", () => {
    it("reports SERVING for the server and for tiercel.v1.Inference once models are loaded", async () => {
        for (const service of ["", inferenceServiceName]) {
            const response = await new Promise<{ status: string } | undefined>((resolve, reject) => {
                server.health.Check({ service }, (error, value) => {
                    if (error) reject(error);
                    else resolve(value);
                });
            });
            expect(response?.status).toBe("SERVING");
        }
    });

    it("lists the Inference and Health services through server reflection", async () => {
        const call = server.reflection.ServerReflectionInfo();
        const response = new Promise<string[]>((resolve, reject) => {
            call.once("data", (r: ReflectionResponse) => {
                resolve((r.list_services_response?.service ?? []).map((s) => s.name));
            });
            call.once("error", reject);
        });
        call.write({ list_services: "" });
        call.end();
        const names = await response;
        expect(names).toContain("tiercel.v1.Inference");
        expect(names).toContain("grpc.health.v1.Health");
    });
});

describe("ListModels and Tokenize", () => {
    it("lists the target, the compatible draft and the translated draft with their reports", async () => {
        const { models } = await server.listModels();
        expect(models.map((m) => [m.id, m.role, m.loaded, m.draft_mode])).toEqual([
            ["t", "MODEL_ROLE_TARGET", true, "DRAFT_MODE_UNSPECIFIED"],
            ["d", "MODEL_ROLE_DRAFT", true, "DRAFT_MODE_DIRECT"],
            ["x", "MODEL_ROLE_DRAFT", true, "DRAFT_MODE_TRANSLATED"],
        ]);
        const [target, draft, translated] = models;
        expect(target?.vocab_size).toBe(32000);
        expect(target?.context_size).toBe(512);
        expect(target?.compatibility).toBeNull();
        expect(draft?.compatibility?.verdict).toBe("COMPATIBILITY_VERDICT_IDENTICAL");
        expect(draft?.compatibility?.reasons).toEqual([]);
        expect(translated?.vocab_size).toBe(50257);
        expect(translated?.compatibility?.verdict).toBe("COMPATIBILITY_VERDICT_INCOMPATIBLE");
        expect(translated?.compatibility?.reasons.map((r) => r.rule)).toContain("vocab_type");
    });

    it("tokenizes text as a prompt (BOS first) and counts chat prompts as Generate does", async () => {
        const { token_ids: tokens } = await server.tokenize({ text: "hello world" });
        expect(tokens[0]).toBe(1); // the SPM fixture's BOS
        expect(tokens.length).toBeGreaterThan(2);

        const messages = [
            { role: "system", content: "You write Python." },
            { role: "user", content: "Write fib." },
        ];
        const { token_ids: chatTokens } = await server.tokenize({ messages });
        const response = await server.generate({ messages, max_tokens: 4 });
        expect(response.usage?.prompt_tokens).toBe(chatTokens.length);
        const rawTokens = await server.tokenize({ text: "You write Python. Write fib." });
        expect(chatTokens.length).toBeGreaterThan(rawTokens.token_ids.length); // the template adds markers
    });
});

describe("Generate and GenerateStream", () => {
    const modes = ["SPECULATION_MODE_OFF", "SPECULATION_MODE_NGRAM", "SPECULATION_MODE_DRAFT_MODEL"] as const;

    it.each(modes)("stream and unary return the same tokens and text at temperature 0 (%s)", async (mode) => {
        const request: GenerateRequest = { prompt, max_tokens: 48, temperature: 0, speculation: { mode } };
        const unary = await server.generate(request);
        const chunks = await server.stream(request).chunks;
        const streamed = joinChunks(chunks);
        expect(streamed.tokens).toEqual(unary.token_ids);
        expect(streamed.text).toBe(unary.text);
        expect(unary.token_ids).toHaveLength(48);
        expect(unary.finish_reason).toBe("FINISH_REASON_LENGTH");

        const last = chunks[chunks.length - 1]!;
        for (const chunk of chunks.slice(0, -1)) {
            expect(chunk.finish_reason).toBe("FINISH_REASON_UNSPECIFIED");
            expect(chunk.usage).toBeNull();
            expect(chunk.stats).toBeNull();
        }
        expect(last.finish_reason).toBe("FINISH_REASON_LENGTH");
        expect(last.usage).toEqual(unary.usage);
        expect(last.stats?.mode).toBe(mode);
    });

    it("speculation does not change greedy output, and its stats are consistent", async () => {
        const results = new Map<string, GenerateResponse__Output>();
        for (const mode of modes) {
            results.set(mode, await server.generate({ prompt, max_tokens: 64, speculation: { mode } }));
        }
        const plain = results.get("SPECULATION_MODE_OFF")!;
        for (const [mode, r] of results) {
            expect(r.token_ids, mode).toEqual(plain.token_ids);
            const stats = r.stats!;
            expect(stats.accepted_tokens).toBeLessThanOrEqual(stats.drafted_tokens);
            expect(stats.target_passes).toBeLessThanOrEqual(r.usage!.completion_tokens);
            expect(stats.accepted_per_position[0] ?? 0).toBeLessThanOrEqual(stats.drafts);
            // Passes by tokens drafted add up to the drafting steps and the drafted tokens; a position was
            // verified in as many steps as reached it, and kept in no more of them.
            const lengths = stats.drafted_lengths;
            expect(
                lengths.reduce((n, steps) => n + steps, 0),
                mode,
            ).toBe(stats.drafts);
            expect(
                lengths.reduce((n, steps, d) => n + steps * d, 0),
                mode,
            ).toBe(stats.drafted_tokens);
            expect(stats.observed_per_position[0] ?? 0, mode).toBe(stats.drafts);
            stats.accepted_per_position.forEach((kept, i) => {
                expect(kept, mode).toBeLessThanOrEqual(stats.observed_per_position[i] ?? 0);
            });
            expect(stats.ttft_ms).toBeGreaterThan(0);
            expect(r.usage?.completion_tokens).toBe(r.token_ids.length);
        }
        expect(plain.stats?.proposer).toBe("none");
        expect(plain.stats?.drafted_tokens).toBe(0);
        const drafted = results.get("SPECULATION_MODE_DRAFT_MODEL")!.stats!;
        expect(drafted.proposer).toBe("d");
        expect(drafted.drafts).toBeGreaterThan(0);
        expect(drafted.mean_acceptance_length).toBeCloseTo(1 + drafted.accepted_tokens / drafted.drafts, 10);
    });

    it("a translated draft (different tokenizer) leaves greedy output unchanged", async () => {
        const plain = await server.generate({
            prompt,
            max_tokens: 24,
            speculation: { mode: "SPECULATION_MODE_OFF" },
        });
        const translated = await server.generate({
            prompt,
            max_tokens: 24,
            speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "x" },
        });
        expect(translated.token_ids).toEqual(plain.token_ids);
        expect(translated.stats?.proposer).toBe("x");
        expect(translated.stats?.accepted_tokens).toBeLessThanOrEqual(translated.stats?.drafted_tokens ?? 0);
    });

    it("renders chat messages with the ChatML fallback and stops at a stop string", async () => {
        const free = await server.generate({ messages: [{ role: "user", content: "hi" }], max_tokens: 32 });
        expect(free.usage?.completion_tokens).toBeGreaterThan(0);
        // Cut the greedy output at a substring of itself: the result is the text before it.
        const cut = free.text.slice(4, 7);
        const stopped = await server.generate({
            messages: [{ role: "user", content: "hi" }],
            max_tokens: 32,
            stop: [cut],
        });
        expect(stopped.finish_reason).toBe("FINISH_REASON_STOP_SEQUENCE");
        expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(cut)));
    });

    it("completes many parallel streams (more than there are sequences) with identical output", async () => {
        const request: GenerateRequest = {
            prompt,
            max_tokens: 24,
            speculation: { mode: "SPECULATION_MODE_NGRAM" },
        };
        const expected = await server.generate(request);
        const all = await Promise.all(Array.from({ length: 6 }, () => server.stream(request).chunks));
        for (const chunks of all) expect(joinChunks(chunks).tokens).toEqual(expected.token_ids);
    });
});

describe("errors", () => {
    const long = "x ".repeat(600);
    const cases: [string, GenerateRequest, Status, string][] = [
        [
            "prompt and messages",
            { prompt: "a", messages: [{ role: "user", content: "b" }] },
            Status.INVALID_ARGUMENT,
            "E_INVALID_ARGUMENT",
        ],
        ["neither prompt nor messages", {}, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        ["negative max_tokens", { prompt, max_tokens: -1 }, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        ["max_tokens 0", { prompt, max_tokens: 0 }, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        ["temperature < 0", { prompt, temperature: -0.5 }, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        ["top_p 0", { prompt, temperature: 1, top_p: 0 }, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        [
            "unknown speculation mode",
            { prompt, speculation: { mode: 7 as never } },
            Status.INVALID_ARGUMENT,
            "E_INVALID_ARGUMENT",
        ],
        [
            "max_draft_tokens 0",
            { prompt, speculation: { max_draft_tokens: 0 } },
            Status.INVALID_ARGUMENT,
            "E_INVALID_ARGUMENT",
        ],
        [
            "unknown role",
            { messages: [{ role: "tool", content: "x" }] },
            Status.INVALID_ARGUMENT,
            "E_INVALID_ARGUMENT",
        ],
        ["empty stop string", { prompt, stop: ["\n", ""] }, Status.INVALID_ARGUMENT, "E_INVALID_ARGUMENT"],
        [
            "a session id of 257 characters",
            { prompt, session_id: "s".repeat(257) },
            Status.INVALID_ARGUMENT,
            "E_INVALID_ARGUMENT",
        ],
        ["prompt longer than the context", { prompt: long }, Status.INVALID_ARGUMENT, "E_CONTEXT_OVERFLOW"],
        ["unknown model", { prompt, model: "nope" }, Status.NOT_FOUND, "E_MODEL_NOT_FOUND"],
        ["a draft as the model", { prompt, model: "d" }, Status.NOT_FOUND, "E_MODEL_NOT_FOUND"],
        [
            "unknown draft",
            { prompt, speculation: { draft_model: "nope" } },
            Status.NOT_FOUND,
            "E_MODEL_NOT_FOUND",
        ],
    ];

    it.each(
        cases.map(([name, request, code, errorCode]) => ({
            name,
            request,
            code,
            errorCode,
            status: statusName(code),
        })),
    )("$name → $status, then the server still answers", async ({ request, code, errorCode }) => {
        for (const call of [() => server.generate(request), () => server.stream(request).chunks]) {
            const error = await expectGrpcError(call());
            expect(statusName(error.code)).toBe(statusName(code));
            expect(error.metadata.get(errorCodeMetadataKey)).toEqual([errorCode]);
            expect(error.details.length).toBeGreaterThan(10);
        }
        const ok = await server.generate({ prompt, max_tokens: 2 });
        expect(ok.token_ids).toHaveLength(2);
        const text = await server.metricsText();
        for (const method of ["Generate", "GenerateStream"]) {
            const series = `tiercel_requests_total{method="${method}",code="${statusName(code)}"}`;
            expect(metricValue(text, series), series).toBeGreaterThan(0);
        }
    });

    it("Tokenize refuses a model id with the same status and message as Generate", async () => {
        for (const model of ["nope", "d"]) {
            const generate = await expectGrpcError(server.generate({ prompt, model }));
            const tokenize = await expectGrpcError(server.tokenize({ text: prompt, model }));
            expect(statusName(tokenize.code)).toBe("NOT_FOUND");
            expect(tokenize.details).toBe(generate.details);
        }
        expect((await server.tokenize({ text: prompt, model: "t" })).token_ids.length).toBeGreaterThan(0);
    });

    it("clamps max_tokens beyond the context to the room the prompt leaves (as in process)", async () => {
        const response = await server.generate({
            prompt,
            max_tokens: 128_000,
            speculation: { mode: "SPECULATION_MODE_OFF" },
        });
        const used = response.usage!.prompt_tokens + response.usage!.completion_tokens;
        if (response.finish_reason === "FINISH_REASON_LENGTH") expect(used).toBe(512);
        else expect(used).toBeLessThan(512);
    });

    it("a prompt too large to fit is refused by its byte size, before tokenizing; Tokenize too", async () => {
        const huge = "def f(x):\n    return x\n".repeat(150_000); // 3.45 MB
        const refusals = [
            expectGrpcError(server.generate({ prompt: huge })),
            expectGrpcError(server.stream({ messages: [{ role: "user", content: huge }] }).chunks),
            expectGrpcError(server.tokenize({ text: huge })),
            expectGrpcError(server.tokenize({ messages: [{ role: "user", content: huge }] })),
        ];
        for (const error of await Promise.all(refusals)) {
            expect(statusName(error.code)).toBe("INVALID_ARGUMENT");
            expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_CONTEXT_OVERFLOW"]);
            // The limit: (context 512 - 1) × the longest token of the fixture vocabulary, in bytes.
            expect(error.details).toMatch(
                /is 3450000 bytes, more than the \d+ bytes that can fit .* 512 tokens/,
            );
        }
    });

    it("rejects invalid UTF-8 with INVALID_ARGUMENT naming the field, and accepts a real U+FFFD", async () => {
        const method = loadInferenceProto().service.Generate;
        const raw = new Client(server.addresses.grpcAddress, credentials.createInsecure());
        // GenerateRequest{ messages: [{ role: "user", content: 0xff 'a' 0x80 }] } written by hand.
        const content = Buffer.from([0x12, 0x03, 0xff, 0x61, 0x80]);
        const role = Buffer.from([0x0a, 0x04, ...Buffer.from("user")]);
        const message = Buffer.concat([role, content]);
        const body = Buffer.concat([Buffer.from([0x12, message.length]), message]);
        const error = await new Promise<ServiceError | null>((resolve) => {
            raw.makeUnaryRequest(
                method.path,
                (b: Buffer) => b,
                method.responseDeserialize,
                body,
                new Metadata(),
                {},
                (e) => {
                    resolve(e);
                },
            );
        });
        raw.close();
        expect(error?.code).toBe(Status.INVALID_ARGUMENT);
        expect(error?.details).toContain("messages[0].content is not valid UTF-8");

        const ok = await server.generate({ prompt: "a\uFFFDb", max_tokens: 2 });
        expect(ok.token_ids).toHaveLength(2);
    });

    it("a deadline shorter than the generation → DEADLINE_EXCEEDED, and the sequence is freed", async () => {
        for (const call of [
            () => server.generate({ prompt, max_tokens: 480 }, { deadline: Date.now() + 150 }),
            () => server.stream({ prompt, max_tokens: 480 }, { deadline: Date.now() + 150 }).chunks,
        ]) {
            const error = await expectGrpcError(call());
            expect(statusName(error.code)).toBe("DEADLINE_EXCEEDED");
        }
        await expect
            .poll(async () => metricValue(await server.metricsText(), "tiercel_sequences_in_use"))
            .toBe(0);
        // The request counter is bumped when the status goes out, which may be after the sequence is freed.
        for (const method of ["Generate", "GenerateStream"]) {
            await expect
                .poll(async () =>
                    metricValue(
                        await server.metricsText(),
                        `tiercel_requests_total{method="${method}",code="DEADLINE_EXCEEDED"}`,
                    ),
                )
                .toBe(1);
        }
    });
});

describe("cancellation", () => {
    it("200 streams cancelled mid-way leak no sequence and the server keeps answering", async () => {
        const before = process.memoryUsage().heapUsed;
        // Batches as large as the sequence pool, so every stream is generating when it is cancelled.
        for (let batch = 0; batch < 100; batch++) {
            const streams = Array.from({ length: 2 }, () => server.stream({ prompt, max_tokens: 480 }));
            await Promise.all(streams.map((s) => s.first));
            for (const s of streams) s.call.cancel();
            for (const s of streams) {
                const error = await expectGrpcError(s.chunks);
                expect(error.code).toBe(Status.CANCELLED);
            }
        }
        await expect
            .poll(async () => metricValue(await server.metricsText(), "tiercel_sequences_in_use"), {
                timeout: 10_000,
            })
            .toBe(0);
        const text = await server.metricsText();
        expect(metricValue(text, "tiercel_queue_depth")).toBe(0);
        expect(metricValue(text, 'tiercel_requests_total{method="GenerateStream",code="CANCELLED"}')).toBe(
            200,
        );
        const ok = await server.generate({ prompt, max_tokens: 3 });
        expect(ok.token_ids).toHaveLength(3);
        // Loose bound: a leak of one generation's buffers per stream would be far larger.
        expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    });
});

describe("metrics", () => {
    it("serves every tiercel metric on /metrics, with speculation counters per proposer", async () => {
        await server.generate({
            prompt,
            max_tokens: 16,
            speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL" },
        });
        const text = await server.metricsText();
        for (const name of [
            "tiercel_requests_total",
            "tiercel_request_duration_seconds",
            "tiercel_time_to_first_token_seconds",
            "tiercel_inter_token_latency_seconds",
            "tiercel_queue_wait_seconds",
            "tiercel_generated_tokens_total",
            "tiercel_prompt_tokens_total",
            "tiercel_prompt_tokens_reused_total",
            "tiercel_spec_drafts_total",
            "tiercel_spec_draft_tokens_total",
            "tiercel_spec_accepted_tokens_total",
            "tiercel_spec_accepted_tokens_per_pos_total",
            "tiercel_spec_target_passes_total",
            "tiercel_queue_depth",
            "tiercel_sequences_in_use",
            "tiercel_sequences",
            "tiercel_process_cpu_seconds_total",
            "tiercel_nodejs_eventloop_lag_seconds",
        ]) {
            expect(text, name).toContain(`# TYPE ${name} `);
        }
        const drafts = metricValue(text, 'tiercel_spec_drafts_total{proposer="d"}') ?? 0;
        const draftTokens = metricValue(text, 'tiercel_spec_draft_tokens_total{proposer="d"}') ?? 0;
        const accepted = metricValue(text, 'tiercel_spec_accepted_tokens_total{proposer="d"}');
        const acceptedAt0 = metricValue(
            text,
            'tiercel_spec_accepted_tokens_per_pos_total{proposer="d",position="0"}',
        );
        expect(drafts).toBeGreaterThan(0);
        expect(draftTokens).toBeGreaterThanOrEqual(drafts);
        expect(accepted).toBeLessThanOrEqual(draftTokens);
        // Every drafted position is exported, accepted or not; position 0 counts steps accepting ≥ 1 token.
        expect(acceptedAt0).toBeLessThanOrEqual(drafts);
        expect(metricValue(text, "tiercel_sequences")).toBe(2);
        expect(metricValue(text, "tiercel_generated_tokens_total")).toBeGreaterThan(0);
        expect(metricValue(text, 'tiercel_requests_total{method="Generate",code="OK"}')).toBeGreaterThan(0);
    });
});
