/**
 * What the gRPC layer needs from an inference engine: plain domain types, no node-llama-cpp. The
 * local engine is adapted here; a router or a fake can stand in for it.
 */
import type { LocalEngine, ModelInfo } from "../engine/LocalEngine.js";
import { checkPromptBytes } from "../engine/promptByteLimit.js";
import { chatWrapperFor, renderChat, type ChatMessage, type RenderedChat } from "../engine/renderChat.js";
import type { GenerateChunk, GenerateRequest } from "../engine/types.js";

export interface SlotUsage {
    /** Sequences leased to running generations. */
    inUse: number;
    /** Generations waiting for a sequence. */
    queued: number;
    /** Sequences configured. */
    size: number;
}

export interface InferenceBackend {
    generate(request: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerateChunk>;
    /** Renders chat messages with the target's chat template (see engine/renderChat.ts). */
    renderChat(messages: readonly ChatMessage[]): RenderedChat;
    /** Tokenizes as a prompt is tokenized (BOS included when the model wants it). */
    tokenize(text: string): readonly number[];
    /** Throws E_MODEL_NOT_FOUND unless `model` is empty or the target's id (engine/resolveRequest.ts). */
    checkModel(model: string): void;
    /** The target first, then drafts (refused ones with loaded = false). */
    models(): readonly ModelInfo[];
    readonly slotUsage: SlotUsage;
}

export function localEngineBackend(engine: LocalEngine): InferenceBackend {
    const model = engine.target.model;
    // Resolved once per model (engine/renderChat.ts), before the first request.
    const wrapper = chatWrapperFor(model);
    return {
        generate: (request, signal) => engine.generate(request, signal),
        renderChat: (messages) => {
            // Rendering tokenizes each message: refuse what cannot fit before the tokenizer runs.
            checkPromptBytes(
                messages.map((m) => m.content),
                engine.promptByteLimit,
                engine.target.context.contextSize,
                "messages",
            );
            return renderChat(model, messages, wrapper);
        },
        tokenize: (text) => engine.tokenize(text),
        checkModel: (model) => {
            engine.checkModel(model);
        },
        models: () => engine.models(),
        get slotUsage() {
            return engine.slotUsage;
        },
    };
}
