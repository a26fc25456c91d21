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
 *
 * Tools are rendered by the wrapper too (`availableFunctions`, parameters documented), as the model's
 * template presents them; an assistant message's tool calls become the wrapper's function calls, with the
 * `tool` messages that answer them as their results, so the history shows calls and results in the
 * family's own syntax. Generation after trailing tool results continues that assistant turn.
 */
import {
    ChatMLChatWrapper,
    resolveChatWrapper,
    type ChatHistoryItem,
    type ChatModelFunctionCall,
    type ChatModelFunctions,
    type ChatModelResponse,
    type ChatWrapper,
    type LlamaModel,
    type LlamaText,
    type Tokenizer,
} from "node-llama-cpp";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import type { Token } from "../speculative/types.js";
import type { ResolvedTool } from "./resolveTools.js";
import type { ChatMessage } from "./types.js";

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
    tools: readonly ResolvedTool[] = [],
    /** The model's tokenizer, or one that remembers what it tokenized (cachedTokenizer.ts). */
    tokenizer: Tokenizer = model.tokenizer,
): RenderedChat {
    if (messages.length === 0) throw new InvalidArgumentError("messages is empty; send at least one message");
    const history = chatHistoryOf(messages);
    const last = messages[messages.length - 1]!.role;
    if (last !== "assistant" && last !== "tool") history.push({ type: "model", response: [] });
    const functions: ChatModelFunctions = Object.fromEntries(
        tools.map((tool) => [
            tool.name,
            { ...(tool.description !== undefined && { description: tool.description }), params: tool.schema },
        ]),
    );
    const state = wrapper.generateContextState({
        chatHistory: history,
        ...(tools.length > 0 && { availableFunctions: functions, documentFunctionParams: true }),
    });
    return {
        tokens: state.contextText.tokenize(tokenizer),
        stop: state.stopGenerationTriggers.flatMap((t) => plainText(t) ?? []),
        template: wrapper.wrapperName,
    };
}

/** node-llama-cpp's history: tool calls inside model responses, each with the result its tool message sent. */
function chatHistoryOf(messages: readonly ChatMessage[]): ChatHistoryItem[] {
    const history: ChatHistoryItem[] = [];
    const callsById = new Map<string, ChatModelFunctionCall>();
    let response: ChatModelResponse["response"] | undefined;
    messages.forEach((m, i) => {
        switch (m.role) {
            case "system":
            case "user":
                history.push({ type: m.role, text: m.content });
                response = undefined;
                return;
            case "assistant": {
                const parts: ChatModelResponse["response"] = m.content === "" ? [] : [m.content];
                m.toolCalls?.forEach((call, j) => {
                    const item: ChatModelFunctionCall = {
                        type: "functionCall",
                        name: call.name,
                        params: parseArguments(call.argumentsJson, `messages[${i}].tool_calls[${j}]`),
                        result: "",
                    };
                    callsById.set(call.id, item);
                    parts.push(item);
                });
                // An assistant message after one with tool calls (the answer after their results)
                // continues that model response, as the wrapper lays out calls, results and what follows.
                const open = response ?? parts;
                if (response) response.push(...parts);
                else history.push({ type: "model", response: parts });
                response = (m.toolCalls?.length ?? 0) > 0 ? open : undefined;
                return;
            }
            case "tool": {
                const call = callsById.get(m.toolCallId);
                if (!call)
                    throw new InvalidArgumentError(
                        `messages[${i}].tool_call_id ${JSON.stringify(m.toolCallId)} names no tool call of an earlier assistant message`,
                    );
                call.result = resultOf(m.content);
                return;
            }
        }
    });
    return history;
}

function parseArguments(json: string, where: string): unknown {
    if (json.trim() === "") return {};
    try {
        return JSON.parse(json) as unknown;
    } catch (cause) {
        throw new InvalidArgumentError(
            `${where}.arguments_json is not valid JSON (${(cause as Error).message}); send the call's arguments as a JSON object`,
        );
    }
}

/** A tool's output as the wrapper renders results (JSON): parsed when it is JSON, else the text itself. */
function resultOf(content: string): unknown {
    try {
        return JSON.parse(content) as unknown;
    } catch {
        return content;
    }
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
