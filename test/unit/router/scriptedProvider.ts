/**
 * An in-memory Provider whose calls follow a script, for unit-testing the router's plumbing (retries,
 * fallbacks, breakers, affinity, cache, records) without HTTP. Wire-format translation is tested
 * separately: pure transforms in test/unit/providers, and the official SDKs against local fake servers
 * in test/integration/routerProviders.test.ts.
 */
import { ErrorCode } from "../../../src/errors/codes.js";
import type { ServiceError } from "../../../src/errors/ServiceError.js";
import type { Provider, ProviderRequest, ProviderType } from "../../../src/providers/Provider.js";
import { ProviderError } from "../../../src/providers/ProviderError.js";
import type { CompletionResult, ProviderStreamEvent } from "../../../src/chat/types.js";
import { toAbortedError } from "../../../src/util/abort.js";

export type Step =
    /** Answers with this text (or these events, for streams). */
    | { kind: "ok"; text?: string; result?: Partial<CompletionResult> }
    /** Fails before any output. */
    | { kind: "error"; error: ServiceError }
    /** Never answers; ends only when the signal aborts. */
    | { kind: "hang" }
    /**
     * Streams these events; after `failAfter` of them throws `error`. `waitBeforeMs` delays event i
     * (abortably), to model a slow first token.
     */
    | {
          kind: "events";
          events: ProviderStreamEvent[];
          failAfter?: number;
          error?: ServiceError;
          waitBeforeMs?: Record<number, number>;
      };

export interface Call {
    request: ProviderRequest;
    signal: AbortSignal;
    method: "complete" | "stream";
}

export function textEvents(text: string, model = "scripted-model"): ProviderStreamEvent[] {
    return [
        { type: "message_start", model },
        { type: "text_delta", index: 0, text },
        {
            type: "message_end",
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 10, output_tokens: 5 },
        },
    ];
}

export function providerError(
    code: ErrorCode,
    options: { retryable?: boolean; retryAfterMs?: number; provider?: string } = {},
): ProviderError {
    const retryable =
        options.retryable ??
        [
            ErrorCode.ProviderOverloaded,
            ErrorCode.ProviderRateLimited,
            ErrorCode.ProviderUnavailable,
            ErrorCode.ProviderTimeout,
            ErrorCode.ProviderStream,
        ].includes(code as never);
    return new ProviderError(options.provider ?? "scripted", code, `scripted ${code}`, {
        retryable,
        retryAfterMs: options.retryAfterMs,
    });
}

function waitForAbort(signal: AbortSignal): Promise<never> {
    return new Promise((_resolve, reject) => {
        if (signal.aborted) {
            reject(toAbortedError(signal));
            return;
        }
        signal.addEventListener(
            "abort",
            () => {
                reject(toAbortedError(signal));
            },
            { once: true },
        );
    });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) {
            reject(toAbortedError(signal));
            return;
        }
        const timer = setTimeout(resolve, ms);
        signal.addEventListener(
            "abort",
            () => {
                clearTimeout(timer);
                reject(toAbortedError(signal));
            },
            { once: true },
        );
    });
}

export class ScriptedProvider implements Provider {
    readonly type: ProviderType;
    readonly calls: Call[] = [];
    readonly #steps: Step[] = [];
    #fallback: Step | undefined;
    unsupportedReason: ((request: ProviderRequest) => string | undefined) | undefined;
    closed = false;
    /** Streams that ended before their last event (consumer stopped, abort, or scripted failure). */
    streamsReturned = 0;

    constructor(
        readonly id: string,
        type: ProviderType = "anthropic",
    ) {
        this.type = type;
    }

    enqueue(...steps: Step[]): this {
        this.#steps.push(...steps);
        return this;
    }

    /** The step used once the queue is empty. */
    always(step: Step): this {
        this.#fallback = step;
        return this;
    }

    unsupported(request: ProviderRequest): string | undefined {
        return this.unsupportedReason?.(request);
    }

    #next(): Step {
        const step = this.#steps.shift() ?? this.#fallback;
        if (!step) throw new Error(`${this.id}: unexpected call (no scripted step)`);
        return step;
    }

    async complete(request: ProviderRequest, signal: AbortSignal): Promise<CompletionResult> {
        this.calls.push({ request, signal, method: "complete" });
        const step = this.#next();
        switch (step.kind) {
            case "error":
                throw step.error;
            case "hang":
                return waitForAbort(signal);
            case "events":
                throw new Error("events steps are for stream()");
            case "ok":
                return {
                    content: [{ type: "text", text: step.text ?? `answer from ${this.id}` }],
                    stop_reason: "end_turn",
                    stop_sequence: null,
                    usage: { input_tokens: 100, output_tokens: 20 },
                    model: `${this.id}-reported`,
                    ...step.result,
                };
        }
    }

    async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderStreamEvent> {
        this.calls.push({ request, signal, method: "stream" });
        const step = this.#next();
        let finished = false;
        try {
            switch (step.kind) {
                case "error":
                    throw step.error;
                case "hang":
                    await waitForAbort(signal);
                    return;
                case "ok":
                    yield* textEvents(step.text ?? `answer from ${this.id}`);
                    finished = true;
                    return;
                case "events":
                    for (const [i, event] of step.events.entries()) {
                        if (step.failAfter !== undefined && i >= step.failAfter)
                            throw step.error ?? new Error("scripted failure");
                        const wait = step.waitBeforeMs?.[i];
                        if (wait !== undefined) await delay(wait, signal);
                        yield event;
                    }
                    if (step.failAfter !== undefined && step.failAfter >= step.events.length)
                        throw step.error ?? new Error("scripted failure");
                    finished = true;
                    return;
            }
        } finally {
            if (!finished && step.kind !== "error") this.streamsReturned++;
        }
    }

    close(): void {
        this.closed = true;
    }
}
