/**
 * What a loaded model can serve, as ListModels reports it: its chat template family, fill-in-the-middle
 * and tool calls. Computed once per model (resolving the chat wrapper parses the Jinja template).
 */
import type { LlamaModel } from "node-llama-cpp";
import { infillTokensOf } from "./infillPrompt.js";
import { chatWrapperFor } from "./renderChat.js";

export interface ModelCapabilities {
    /**
     * The name of node-llama-cpp's chat wrapper for the model's GGUF chat template (how chat is
     * rendered): a family's own wrapper when one matches the template, "JinjaTemplate" when the template
     * is rendered as it is, "ChatML" for a model without a template.
     */
    chatTemplate: string;
    /** The GGUF has fill-in-the-middle prefix, suffix and middle tokens (requests may set `suffix`). */
    fim: boolean;
    /** The GGUF's chat template renders tool definitions (it was made for tool calling). */
    toolCalls: boolean;
}

const cache = new WeakMap<LlamaModel, ModelCapabilities>();

export function modelCapabilities(model: LlamaModel): ModelCapabilities {
    let capabilities = cache.get(model);
    if (!capabilities) {
        const template = model.fileInfo.metadata.tokenizer.chat_template;
        capabilities = {
            chatTemplate: chatWrapperFor(model).wrapperName,
            fim: infillTokensOf(model) !== undefined,
            toolCalls: typeof template === "string" && /\btools\b/.test(template),
        };
        cache.set(model, capabilities);
    }
    return capabilities;
}
