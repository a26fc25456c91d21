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

/**
 * A generator's random source: the builder's seeded `Rng`, which also records what the item's wording was
 * drawn from. `phrasing` draws a template exactly as `pick` does (the same random numbers, so the data set
 * does not change) and records which one; `shape` records the agent client a conversation imitates. The
 * record becomes the item's `family` (`familyOf`), the unit the build's cross-validation holds out whole.
 */
export interface DraftRng extends Rng {
    /** `pick` on a list of phrasing templates, recording the template's index. */
    phrasing<T>(templates: readonly T[]): T;
    /** Records the agent shape (client) the item imitates. */
    shape(name: string): void;
}

/** What a `DraftRng` recorded for one item. */
export interface FamilyRecord {
    phrasings: number[];
    shape?: string;
}

/** A `DraftRng` over `rng` and the record it fills (one per item). */
export function draftRng(rng: Rng): { rng: DraftRng; record: FamilyRecord } {
    const record: FamilyRecord = { phrasings: [] };
    return {
        record,
        rng: {
            ...rng,
            phrasing: <T>(templates: readonly T[]): T => {
                const index = rng.int(templates.length);
                record.phrasings.push(index);
                return templates[index]!;
            },
            shape: (name) => {
                record.shape = name;
            },
        },
    };
}

/**
 * An item's wording family: `<category>:<shape>` for an agent conversation (every task phrasing of one
 * client together, so a held-out fold holds a client the model never saw), else
 * `<category>:<template indexes>` (`<category>` for a generator without phrasing templates).
 */
export function familyOf(category: string, record: FamilyRecord): string {
    if (record.shape !== undefined) return `${category}:${record.shape}`;
    return record.phrasings.length === 0 ? category : `${category}:${record.phrasings.join(".")}`;
}

export type Generator = (rng: DraftRng) => Draft;

/** A category's generator and its share of the data set (relative weight). */
export interface WeightedGenerator {
    weight: number;
    make: Generator;
}
