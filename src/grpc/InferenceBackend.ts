/**
 * What the gRPC layer needs from an inference engine: plain domain types, no node-llama-cpp. The
 * local engine is adapted here; a router or a fake can stand in for it.
 */
import type { LocalEngine, ModelInfo } from "../engine/LocalEngine.js";
import type { HostKvCacheUsage } from "../engine/HostKvCache.js";
import type { ChatMessage, GenerateChunk, GenerateRequest, ToolDefinition } from "../engine/types.js";

export interface SlotUsage {
    /** Sequences leased to running generations. */
    inUse: number;
    /** Generations waiting for a sequence. */
    queued: number;
    /** Sequences configured. */
    size: number;
    /** The host KV cache's files and costs (engine.hostCache); absent when it is turned off. */
    hostCache?: HostKvCacheUsage;
}

export interface InferenceBackend {
    generate(request: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerateChunk>;
    /** Tokenizes as a prompt is tokenized (BOS included when the model wants it). */
    tokenize(text: string): readonly number[];
    /** Renders chat messages with the target's chat template and tokenizes them, as Generate's prompt. */
    tokenizeChat(
        messages: readonly ChatMessage[],
        tools?: readonly ToolDefinition[],
        cacheScope?: string,
    ): readonly number[];
    /** Throws E_MODEL_NOT_FOUND unless `model` is empty or the target's id (engine/resolveRequest.ts). */
    checkModel(model: string): void;
    /** The target first, then drafts (refused ones with loaded = false). */
    models(): readonly ModelInfo[];
    readonly slotUsage: SlotUsage;
}

export function localEngineBackend(engine: LocalEngine): InferenceBackend {
    return {
        generate: (request, signal) => engine.generate(request, signal),
        tokenize: (text) => engine.tokenize(text),
        tokenizeChat: (messages, tools, cacheScope) => engine.tokenizeChat(messages, tools, cacheScope),
        checkModel: (model) => {
            engine.checkModel(model);
        },
        models: () => engine.models(),
        get slotUsage() {
            return engine.slotUsage;
        },
    };
}
