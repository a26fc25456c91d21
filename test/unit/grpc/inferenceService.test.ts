/**
 * Plumbing of the streaming handler with a fake backend and a fake call (the real engine and transport
 * are covered by test/integration): back-pressure, cancellation while paused, and lifecycle states.
 */
import { EventEmitter } from "node:events";
import { status as Status, type ServerWritableStream } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { GenerateChunk as EngineChunk, GenerateRequest } from "../../../src/engine/types.js";
import type { GenerateChunk } from "../../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest__Output } from "../../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { InferenceBackend } from "../../../src/grpc/InferenceBackend.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { ServiceError } from "../../../src/errors/ServiceError.js";
import { InferenceService } from "../../../src/grpc/inferenceService.js";
import type { GrpcStatus } from "../../../src/grpc/toGrpcStatus.js";
import { createMetrics } from "../../../src/metrics/createMetrics.js";
import { createRegistry } from "../../../src/metrics/registry.js";
import { silentLogger } from "../../../src/util/logger.js";

/** A server stream whose buffer is "full" until the test emits 'drain'. */
class FakeStream extends EventEmitter {
    cancelled = false;
    written: GenerateChunk[] = [];
    ended = false;
    errors: GrpcStatus[] = [];
    full = false;
    request: GenerateRequest__Output = {
        prompt: "p",
        messages: [],
        model: "",
        stop: [],
        session_id: "",
        cache_scope: "",
        speculation: null,
        return_confidence: false,
        extra_context: [],
        logit_bias: {},
        response_format: null,
        tools: [],
        tool_choice: "",
    };
    constructor() {
        super();
        this.on("error", (status: GrpcStatus) => this.errors.push(status));
    }
    getDeadline(): number {
        return Infinity;
    }
    write(chunk: GenerateChunk): boolean {
        this.written.push(chunk);
        return !this.full;
    }
    end(): void {
        this.ended = true;
    }
}

class FakeBackend implements InferenceBackend {
    pulled = 0;
    released = false;
    readonly slotUsage = { inUse: 0, queued: 0, size: 1 };
    constructor(
        readonly chunks: number,
        /** Thrown after the chunks instead of the final one. */
        readonly failure?: Error,
    ) {}
    async *generate(_request: GenerateRequest, signal: AbortSignal): AsyncGenerator<EngineChunk> {
        try {
            for (let i = 0; i < this.chunks; i++) {
                signal.throwIfAborted();
                this.pulled++;
                await Promise.resolve();
                yield { tokens: [i], text: `t${i}` };
            }
            if (this.failure) throw this.failure;
            yield { tokens: [], text: "", finish: { reason: "length", stats: stats() } };
        } finally {
            this.released = true;
        }
    }
    tokenizeChat(): never {
        throw new Error("unused");
    }
    tokenize(): number[] {
        return [];
    }
    checkModel(): void {
        // The fake serves any model name.
    }
    models() {
        return [{ id: "t", role: "target" as const, path: "", vocabSize: 10, contextSize: 64, loaded: true }];
    }
}

function stats() {
    return {
        proposer: "none",
        speculation: {
            chosen: "none",
            reason: "off",
            switches: [],
            draftLengths: [],
            explorations: 0,
            predictedSpeedup: 1,
        },
        measuredSpeedup: 1,
        mode: "off" as const,
        promptTokens: 1,
        promptTokensReused: 0,
        promptTokensCopied: 0,
        promptTokensRestored: 0,
        completionTokens: 3,
        spec: {
            drafts: 0,
            targetPasses: 3,
            draftTokens: 0,
            acceptedTokens: 0,
            acceptedPerPos: [],
            observedPerPos: [],
            draftedLengths: [0],
            acceptanceRate: 0,
            meanAcceptanceLength: 0,
            fullMapPasses: 0,
            fullMapAfterDraft: 0,
        },
        ttftMs: 1,
        queueMs: 0,
        totalMs: 2,
        decodeTokensPerSecond: 100,
    };
}

function service(): InferenceService {
    return new InferenceService({
        metrics: createMetrics(createRegistry(), () => undefined),
        logger: silentLogger,
    });
}

function startStream(svc: InferenceService, stream: FakeStream): void {
    svc.handlers.GenerateStream(
        stream as unknown as ServerWritableStream<GenerateRequest__Output, GenerateChunk>,
    );
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("InferenceService.GenerateStream", () => {
    it("stops pulling tokens while the stream is full and resumes on 'drain'", async () => {
        const svc = service();
        const backend = new FakeBackend(3);
        svc.attach(backend);
        const stream = new FakeStream();
        stream.full = true;
        startStream(svc, stream);
        await tick();
        // The first chunk is written a turn late (TurnLateWriter.ts), after the second was pulled.
        expect(backend.pulled).toBe(2);
        expect(stream.written).toHaveLength(1);
        stream.full = false;
        stream.emit("drain");
        await svc.idle();
        expect(backend.pulled).toBe(3);
        expect(stream.written.map((c) => c.text)).toEqual(["t0", "t1", "t2", ""]);
        expect(stream.written.at(-1)?.finish_reason).toBe("FINISH_REASON_LENGTH");
        expect(stream.ended).toBe(true);
    });

    it("writes every chunk the engine yielded before it failed, then the error status", async () => {
        const svc = service();
        // Failing right after the last chunk: that chunk is still waiting for its turn (TurnLateWriter.ts).
        const backend = new FakeBackend(3, new ServiceError(ErrorCode.Internal, "decode failed"));
        svc.attach(backend);
        const stream = new FakeStream();
        startStream(svc, stream);
        await svc.idle();
        expect(stream.written.map((c) => c.text)).toEqual(["t0", "t1", "t2"]);
        expect(stream.errors.map((e) => Status[e.code])).toEqual(["INTERNAL"]);
        expect(backend.released).toBe(true);
    });

    it("a cancel while paused ends the generation (sequence released) with CANCELLED", async () => {
        const svc = service();
        const backend = new FakeBackend(100);
        svc.attach(backend);
        const stream = new FakeStream();
        stream.full = true;
        startStream(svc, stream);
        await tick();
        stream.cancelled = true;
        stream.emit("cancelled");
        await svc.idle();
        expect(backend.pulled).toBe(2);
        expect(backend.released).toBe(true);
        expect(stream.errors.map((e) => Status[e.code])).toEqual(["CANCELLED"]);
        expect(stream.ended).toBe(false);
    });

    it("refuses calls with UNAVAILABLE before attach and while draining, and cancelAll stops running ones", async () => {
        const svc = service();
        const early = new FakeStream();
        startStream(svc, early);
        await svc.idle();
        expect(early.errors.map((e) => [Status[e.code], e.details])).toEqual([
            ["UNAVAILABLE", "models are still loading; retry when health reports SERVING"],
        ]);

        const backend = new FakeBackend(100);
        svc.attach(backend);
        const running = new FakeStream();
        running.full = true;
        startStream(svc, running);
        await tick();
        svc.drain();
        const late = new FakeStream();
        startStream(svc, late);
        svc.cancelAll();
        await svc.idle();
        expect(late.errors.map((e) => Status[e.code])).toEqual(["UNAVAILABLE"]);
        // Cut by the shutdown: UNAVAILABLE with its code, so clients retry elsewhere.
        expect(running.errors.map((e) => Status[e.code])).toEqual(["UNAVAILABLE"]);
        expect(running.errors[0]?.metadata.get("tiercel-error-code")).toEqual(["E_NOT_READY"]);
        expect(backend.released).toBe(true);
    });
});
