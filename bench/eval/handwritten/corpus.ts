/**
 * The hand-written evaluation set's building blocks: a labelled request is written out in full by a
 * person (the text, the pasted code, the conversation), and these helpers only wrap it into a
 * `DatasetItem`. Nothing here draws, combines or rewrites text: unlike the generator
 * (models/router/build/buildDataset.ts), every request of the set exists once, as written.
 *
 * Ids are `hw-<family>-<nn>` (the position in its family, from 1; new items are appended, so an item's id
 * does not move). The family (`hw:<family>`) is the batch the eval reports agreement and under-routing by.
 */
import type {
    ChatMessage,
    ChatRequest,
    RoutingHints,
    ToolDefinition,
    ToolResultPart,
} from "../../../src/chat/types.js";
import type { DatasetItem } from "../../../models/router/build/buildDataset.js";
import type { TierName } from "../../../models/router/build/draft.js";

export const L: TierName = "local";
export const M: TierName = "mid";
export const F: TierName = "frontier";

/** The category every hand-written item carries (its family says which batch it belongs to). */
export const handwrittenCategory = "handwritten";

/** Expected answer length by tier when an item does not give one (the eval's cost estimate). */
const defaultOutputTokens: Record<TierName, number> = { local: 120, mid: 600, frontier: 1_400 };

/** What a request has besides its last user text. */
export interface Extra {
    system?: string;
    tools?: readonly ToolDefinition[];
    /** Turns before the last user text. */
    history?: readonly ChatMessage[];
    max_tokens?: number;
    hints?: RoutingHints;
    /** Expected answer length in tokens. */
    output?: number;
}

/** A one-turn ask (the last user text, and what comes with it), or a whole conversation. */
export type Entry =
    | readonly [TierName, string]
    | readonly [TierName, string, Extra]
    | { label: TierName; conversation: readonly ChatMessage[]; extra?: Omit<Extra, "history"> };

function requestOf(messages: readonly ChatMessage[], extra: Extra | undefined): ChatRequest {
    return {
        ...(extra?.system !== undefined && { system: extra.system }),
        messages,
        ...(extra?.tools !== undefined && { tools: extra.tools }),
        ...(extra?.max_tokens !== undefined && { max_tokens: extra.max_tokens }),
        ...(extra?.hints !== undefined && { hints: extra.hints }),
    };
}

type Ask = readonly [TierName, string] | readonly [TierName, string, Extra];
type Conversation = Exclude<Entry, Ask>;

const isAsk = (entry: Entry): entry is Ask => Array.isArray(entry);

/** An entry's label, request and expected answer length. */
function resolve(entry: Entry): { label: TierName; request: ChatRequest; output: number | undefined } {
    if (isAsk(entry)) {
        const [label, text, extra] = entry;
        const messages: ChatMessage[] = [...(extra?.history ?? []), { role: "user", content: text }];
        return { label, request: requestOf(messages, extra), output: extra?.output };
    }
    const { label, conversation, extra }: Conversation = entry;
    return { label, request: requestOf(conversation, extra), output: extra?.output };
}

/** One family's items, in the order written. */
export function family(name: string, entries: readonly Entry[]): DatasetItem[] {
    if (!/^[a-z0-9_]+$/.test(name)) throw new RangeError(`family name "${name}" must be [a-z0-9_]+`);
    return entries.map((entry, n) => {
        const { label, request, output } = resolve(entry);
        return {
            id: `hw-${name}-${String(n + 1).padStart(2, "0")}`,
            category: handwrittenCategory,
            family: `hw:${name}`,
            label,
            request,
            output_tokens: output ?? defaultOutputTokens[label],
        };
    });
}

/** Conversation turns. */
export const user = (content: string): ChatMessage => ({ role: "user", content });
export const assistant = (content: string): ChatMessage => ({ role: "assistant", content });

/** An assistant turn calling one tool, optionally after a sentence of its own. */
export function call(id: string, name: string, args: Record<string, unknown>, say?: string): ChatMessage {
    return {
        role: "assistant",
        content: [
            ...(say !== undefined ? [{ type: "text" as const, text: say }] : []),
            { type: "tool_call" as const, id, name, arguments: args },
        ],
    };
}

/** The client's answer to a tool call; `flag` sets `is_error` (clients that flag failures do). */
export function result(id: string, content: string, flag = false): ChatMessage {
    const part: ToolResultPart = {
        type: "tool_result",
        tool_call_id: id,
        content,
        ...(flag && { is_error: true }),
    };
    return { role: "user", content: [part] };
}

/** A tool with a JSON-schema object input of string properties (all required unless marked `?`). */
export function tool(name: string, description: string, properties: readonly string[]): ToolDefinition {
    const props = Object.fromEntries(properties.map((p) => [p.replace(/\?$/, ""), { type: "string" }]));
    return {
        name,
        description,
        input_schema: {
            type: "object",
            properties: props,
            required: properties.filter((p) => !p.endsWith("?")),
        },
    };
}
