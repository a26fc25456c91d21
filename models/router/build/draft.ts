/**
 * What a data-set generator returns (buildDataset.ts turns it into a labelled `ChatRequest`), shared by
 * the generator files so none of them imports another.
 */
import type { ChatMessage, ToolDefinition } from "../../../src/chat/types.js";
import type { Rng } from "./rng.js";

export const tierNames = ["local", "mid", "frontier"] as const;
export type TierName = (typeof tierNames)[number];

export interface Draft {
    label: TierName;
    /** The instruction: the last user turn, with a polite prefix or suffix added sometimes. */
    text: string;
    /** Expected answer length in tokens, [lo, hi]. */
    output: [number, number];
    /** The system prompt. Defaults to none, a short one or house rules, drawn by the builder. */
    system?: string;
    taskType?: string;
    tags?: string[];
    /** Send the builder's default tools. */
    tools?: boolean;
    /** The tools the client sent (an agent's own tool set); implies `tools`. */
    toolset?: ToolDefinition[];
    /** Messages before the instruction. */
    history?: ChatMessage[];
    /**
     * The whole conversation as the client sent it: `text` and `history` are not used, nothing is added
     * (an agent loop whose last turn is tool results only).
     */
    conversation?: ChatMessage[];
    maxTokens?: number;
    latencyBudgetMs?: number;
}

export type Generator = (rng: Rng) => Draft;

/** A category's generator and its share of the data set (relative weight). */
export interface WeightedGenerator {
    weight: number;
    make: Generator;
}
