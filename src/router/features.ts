/**
 * Request → the features the routing rules, the learned classifier (router/learned/) and the feedback signature read. Pure and cheap: it runs on
 * every request before anything else, inside the decision-overhead budget (bench/micro/router.bench.ts).
 */
import { defaultNamespace } from "./defaults.js";
import { partsOf, textOf, toolErrorStreak } from "../chat/messages.js";
import { humanText } from "../chat/splitInjectedContext.js";
import type { ChatRequest } from "../chat/types.js";

export interface RequestFeatures {
    taskType: string | undefined;
    tags: readonly string[];
    namespace: string;
    latencyBudgetMs: number | undefined;
    /**
     * Estimated prompt tokens: characters / 4 over the system prompt, messages, tool schemas and a
     * completion's prompt and suffix. A
     * tokenizer per provider would cost more than the whole decision; the estimate only has to place a
     * request on the right side of a rule's threshold.
     */
    contextTokens: number;
    /**
     * The last user message's text, the human's words only (an agent's injected `<system-reminder>`
     * blocks left out: splitInjectedContext.ts); empty when the conversation ends otherwise.
     */
    lastUserText: string;
    hasTools: boolean;
    /** Failed tool results in a row at the end of the conversation. */
    toolErrorStreak: number;
}

function completionChars(request: ChatRequest): number {
    const completion = request.completion;
    return completion === undefined ? 0 : completion.prompt.length + (completion.suffix?.length ?? 0);
}

/** Characters per token of the estimate (English and code average for BPE vocabularies). */
const charsPerToken = 4;

export function extractFeatures(request: ChatRequest): RequestFeatures {
    let chars = (request.system?.length ?? 0) + completionChars(request);
    for (const message of request.messages) {
        for (const part of partsOf(message)) {
            if (part.type === "text") chars += part.text.length;
            else if (part.type === "tool_result") chars += part.content.length;
            else chars += part.name.length + JSON.stringify(part.arguments).length;
        }
    }
    for (const tool of request.tools ?? []) {
        chars +=
            tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.input_schema).length;
    }
    const last = request.messages.at(-1);
    const hints = request.hints;
    return {
        taskType: hints?.task_type,
        tags: hints?.tags ?? [],
        namespace: hints?.namespace ?? defaultNamespace,
        latencyBudgetMs: hints?.latency_budget_ms,
        contextTokens: Math.ceil(chars / charsPerToken),
        lastUserText: last?.role === "user" ? humanText(textOf(last)) : "",
        hasTools: (request.tools?.length ?? 0) > 0,
        toolErrorStreak: toolErrorStreak(request.messages),
    };
}
