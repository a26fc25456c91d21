/**
 * One system's server for the agent-trace bench (suffixDrafting.ts): the engine in process (its own
 * stats and timings) or the gRPC server on loopback, streamed, with the session id a client sends and
 * the client's timings (decode = tokens after the first, from the first token chunk to the end).
 */
import type { Config, SpeculationMode } from "../../src/config/schema.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { toProtoMode } from "../../src/grpc/mapping.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerationStats } from "../../src/engine/types.js";
import { startServedBench } from "../startServedBench.js";

/** What one request returned, however it was sent. */
export interface Answer {
    text: string;
    tokens: number[];
    /** Decode: tokens after the first, and the seconds from the first token to the end. */
    decodeTokens: number;
    decodeSeconds: number;
    drafted: number;
    accepted: number;
    /** The drafter chosen at the start, then each switch ("to at token"). */
    drafters: string[];
    /** Steps by tokens drafted (index = d ≥ 1): the passes' lengths beyond one token. */
    lengths: number[];
    /** Per draft position: steps that kept it, and steps that verified it (SpecStats). */
    kept: number[];
    observed: number[];
    /** Steps that drafted, and target passes. */
    drafts: number;
    passes: number;
}

export interface TraceRequest {
    prompt: string;
    session: string;
    mode: SpeculationMode;
    k: number | undefined;
    /** Sampling at temperature > 0 with a seed; undefined = greedy. */
    sampling?: { temperature: number; seed: number } | undefined;
}

/** A system's server: in process (the engine's own stats) or a gRPC server and its client's timings. */
export async function startTraceServer(
    config: Config,
    path: "grpc" | "in-process",
    maxTokens: number,
): Promise<{
    send: (request: TraceRequest) => Promise<Answer>;
    /** The server's measured verify curve now (ms of a pass over n tokens). */
    verifyMs: (n: number) => number;
    dispose: () => Promise<void>;
}> {
    if (path === "in-process") {
        const engine = await LocalEngine.load(config, "/");
        const send = async ({ prompt, session, mode, k, sampling }: TraceRequest): Promise<Answer> => {
            let text = "";
            const tokens: number[] = [];
            let stats: GenerationStats | undefined;
            for await (const chunk of engine.generate({
                prompt,
                maxTokens,
                sessionId: session,
                ...(sampling && { sampling }),
                speculation: { mode, maxDraftTokens: k },
            })) {
                text += chunk.text;
                tokens.push(...chunk.tokens);
                stats = chunk.finish?.stats ?? stats;
            }
            const { chosen, switches } = stats!.speculation;
            return {
                text,
                tokens,
                decodeTokens: Math.max(0, stats!.completionTokens - 1),
                decodeSeconds: (stats!.totalMs - stats!.ttftMs) / 1000,
                drafted: stats!.spec.draftTokens,
                accepted: stats!.spec.acceptedTokens,
                drafters: [chosen, ...switches.map((s) => `${s.to} at ${s.atToken}`)],
                lengths: stats!.spec.draftedLengths,
                kept: stats!.spec.acceptedPerPos,
                observed: stats!.spec.observedPerPos,
                drafts: stats!.spec.drafts,
                passes: stats!.spec.targetPasses,
            };
        };
        return {
            send,
            verifyMs: (n) => engine.policy.costs.verifyMs(n),
            dispose: () => engine.dispose(),
        };
    }
    const { app, client, stop } = await startServedBench(config, "/");
    const send = ({ prompt, session, mode, k, sampling }: TraceRequest): Promise<Answer> =>
        new Promise((resolvePromise, reject) => {
            let text = "";
            const tokens: number[] = [];
            let firstAt = 0;
            let last: GenerateChunk__Output | undefined;
            const call = client.GenerateStream({
                prompt,
                max_tokens: maxTokens,
                session_id: session,
                ...sampling,
                speculation: {
                    mode: toProtoMode(mode),
                    ...(k === undefined ? {} : { max_draft_tokens: k }),
                },
            });
            call.on("data", (chunk: GenerateChunk__Output) => {
                if (firstAt === 0 && chunk.token_ids.length > 0) firstAt = performance.now();
                text += chunk.text;
                tokens.push(...chunk.token_ids);
                last = chunk;
            });
            call.on("error", reject);
            call.on("end", () => {
                const endAt = performance.now();
                const stats = last?.stats;
                if (!stats || !last?.usage) {
                    reject(new Error("the stream ended without a final chunk"));
                    return;
                }
                const switches = stats.switches;
                resolvePromise({
                    text,
                    tokens,
                    decodeTokens: Math.max(0, last.usage.completion_tokens - 1),
                    decodeSeconds: firstAt === 0 ? 0 : (endAt - firstAt) / 1000,
                    drafted: stats.drafted_tokens,
                    accepted: stats.accepted_tokens,
                    drafters: [
                        switches[0]?.from ?? stats.proposer,
                        ...switches.map((sw) => `${sw.to} at ${sw.at_token}`),
                    ],
                    lengths: stats.drafted_lengths,
                    kept: stats.accepted_per_position,
                    observed: stats.observed_per_position,
                    drafts: stats.drafts,
                    passes: stats.target_passes,
                });
            });
        });
    return {
        send,
        verifyMs: (n) => app.engine!.policy.costs.verifyMs(n),
        dispose: stop,
    };
}
