/**
 * Renders chat messages into prompt tokens with the model's own chat template, via node-llama-cpp's chat
 * wrappers: a GGUF that carries `tokenizer.chat_template` gets the wrapper `resolveChatWrapper` picks for
 * it (a specialized wrapper when one matches the template, else the Jinja template itself). A model
 * without a template (our bundled pair, the test fixtures) gets ChatML:
 *
 *     <|im_start|>system\n{content}<|im_end|>\n<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n
 *
 * ChatML because the bundled tokenizer has `<|im_start|>` / `<|im_end|>` as special tokens and
 * `<|im_end|>` ends generation (an EOG token); on a vocabulary without them the markers are tokenized as
 * text and the `<|im_end|>` stop string ends the turn instead.
 *
 * Message content is always tokenized as plain text (the wrappers build a LlamaText), so a user cannot
 * inject special tokens through content.
 */
import {
    ChatMLChatWrapper,
    resolveChatWrapper,
    type ChatHistoryItem,
    type ChatWrapper,
    type LlamaModel,
    type LlamaText,
} from "node-llama-cpp";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import type { Token } from "../speculative/types.js";

export const chatRoles = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof chatRoles)[number];

export interface ChatMessage {
    role: ChatRole;
    content: string;
}

export interface RenderedChat {
    /** Prompt tokens, BOS included when the template has it; ends with the assistant turn's opening. */
    tokens: Token[];
    /** Plain-text stop strings of the template (special end-of-turn tokens are EOG tokens already). */
    stop: string[];
    /** The wrapper used, e.g. "ChatML" or "JinjaTemplate". */
    template: string;
}

const wrappers = new WeakMap<LlamaModel, ChatWrapper>();

/**
 * The model's chat wrapper, resolved once per model and kept: resolving a Jinja template that matches no
 * specialized wrapper renders test conversations through every candidate (2–11 s for the Qwen2.5-Coder
 * and DeepSeek-Coder templates on a loaded 2-core machine), so it must not run per request or per
 * ListModels. Wrappers hold no per-conversation state.
 */
export function chatWrapperFor(model: LlamaModel): ChatWrapper {
    let wrapper = wrappers.get(model);
    if (wrapper === undefined) {
        const template = model.fileInfo.metadata.tokenizer.chat_template;
        wrapper =
            typeof template === "string" && template.length > 0
                ? resolveChatWrapper(model, { warningLogs: false })
                : new ChatMLChatWrapper();
        wrappers.set(model, wrapper);
    }
    return wrapper;
}

/**
 * Renders `messages` for generation: the history, then the opening of the assistant's turn. A trailing
 * assistant message is a prefill: its turn is left open and generation continues its content.
 */
export function renderChat(
    model: LlamaModel,
    messages: readonly ChatMessage[],
    wrapper: ChatWrapper = chatWrapperFor(model),
): RenderedChat {
    if (messages.length === 0) throw new InvalidArgumentError("messages is empty; send at least one message");
    const history: ChatHistoryItem[] = messages.map((m) => {
        switch (m.role) {
            case "system":
                return { type: "system", text: m.content };
            case "user":
                return { type: "user", text: m.content };
            case "assistant":
                return { type: "model", response: [m.content] };
        }
    });
    if (messages[messages.length - 1]!.role !== "assistant") history.push({ type: "model", response: [] });
    const state = wrapper.generateContextState({ chatHistory: history });
    return {
        tokens: state.contextText.tokenize(model.tokenizer),
        stop: state.stopGenerationTriggers.flatMap((t) => plainText(t) ?? []),
        template: wrapper.wrapperName,
    };
}

/** The trigger's text when it is plain text only (no special tokens), else undefined. */
function plainText(text: LlamaText): string | undefined {
    let out = "";
    for (const value of text.values) {
        if (typeof value !== "string") return undefined;
        out += value;
    }
    return out.length > 0 ? out : undefined;
}
