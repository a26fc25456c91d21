/**
 * Per-request speculative-decoding counters (vLLM's SpecDecodingStats, llama.cpp's draft_n/accepted).
 *
 * Every verification step is one target pass: `record(step)` after each, with the step's `drafted`
 * and `accepted` counts (a target pass without a draft has `drafted === 0`). Derived:
 *   - acceptanceRate = acceptedTokens / draftTokens (0 when nothing was drafted);
 *   - meanAcceptanceLength = 1 + acceptedTokens / drafts, the tokens emitted per drafted step, as vLLM
 *     and llama.cpp define it (0 when there were no drafts, to mark "undefined").
 * `acceptedPerPos[i]` counts the steps that accepted at least i + 1 tokens; it grows to the longest
 * draft seen, so drafted-but-never-accepted positions show up as 0.
 * `fullMapPasses` counts positions evaluated a second time for their full probability map (under a grammar
 * with a listed vocabulary: an extra target pass each), `fullMapAfterDraft` those of them that came after
 * drafted positions in their step (the draft was verified up to them and cut there).
 */
import type { SpecStep } from "./types.js";

export interface SpecStatsJSON {
    drafts: number;
    targetPasses: number;
    draftTokens: number;
    acceptedTokens: number;
    acceptedPerPos: number[];
    /**
     * [i]: steps in which draft position i + 1 was verified (drafted, and the i before it kept), so
     * acceptedPerPos[i] / observedPerPos[i] is that position's conditional acceptance p_{i+1}.
     */
    observedPerPos: number[];
    /**
     * Steps by tokens drafted (index = drafted, ≥ 1; index 0 unused): what the passes cost depends on
     * their lengths, and a pass curve is not linear, so a mean draft length does not price them.
     */
    draftedLengths: number[];
    acceptanceRate: number;
    meanAcceptanceLength: number;
    fullMapPasses: number;
    fullMapAfterDraft: number;
}

export class SpecStats {
    #drafts = 0;
    #targetPasses = 0;
    #draftTokens = 0;
    #acceptedTokens = 0;
    readonly #acceptedPerPos: number[] = [];
    readonly #observedPerPos: number[] = [];
    readonly #draftedLengths: number[] = [0];
    #fullMapPasses = 0;
    #fullMapAfterDraft = 0;

    /** Verification steps with at least one drafted token. */
    get drafts(): number {
        return this.#drafts;
    }
    /** Target forward passes (verification steps plus plain steps). */
    get targetPasses(): number {
        return this.#targetPasses;
    }
    get draftTokens(): number {
        return this.#draftTokens;
    }
    get acceptedTokens(): number {
        return this.#acceptedTokens;
    }
    get acceptedPerPos(): readonly number[] {
        return this.#acceptedPerPos;
    }
    /** Positions evaluated a second time for their full probability map (steps and the first token). */
    get fullMapPasses(): number {
        return this.#fullMapPasses;
    }
    /** Of `fullMapPasses`, those after drafted positions of their step. */
    get fullMapAfterDraft(): number {
        return this.#fullMapAfterDraft;
    }
    get acceptanceRate(): number {
        return this.#draftTokens === 0 ? 0 : this.#acceptedTokens / this.#draftTokens;
    }
    get meanAcceptanceLength(): number {
        return this.#drafts === 0 ? 0 : 1 + this.#acceptedTokens / this.#drafts;
    }

    record({ drafted, accepted, fullMapAt }: Pick<SpecStep, "drafted" | "accepted" | "fullMapAt">): void {
        if (!Number.isInteger(drafted) || !Number.isInteger(accepted) || accepted < 0 || accepted > drafted) {
            throw new RangeError(
                `SpecStats.record: need integers 0 <= accepted <= drafted, got ${accepted}, ${drafted}`,
            );
        }
        this.#targetPasses++;
        if (fullMapAt !== undefined) this.recordFullMap(fullMapAt > 0);
        if (drafted === 0) return;
        this.#drafts++;
        this.#draftTokens += drafted;
        this.#acceptedTokens += accepted;
        while (this.#acceptedPerPos.length < drafted) this.#acceptedPerPos.push(0);
        for (let i = 0; i < accepted; i++) this.#acceptedPerPos[i]!++;
        const observed = Math.min(drafted, accepted + 1);
        while (this.#observedPerPos.length < observed) this.#observedPerPos.push(0);
        for (let i = 0; i < observed; i++) this.#observedPerPos[i]!++;
        while (this.#draftedLengths.length <= drafted) this.#draftedLengths.push(0);
        this.#draftedLengths[drafted]!++;
    }

    /** A position evaluated a second time for its full map (`afterDraft`: after drafted positions). */
    recordFullMap(afterDraft: boolean): void {
        this.#fullMapPasses++;
        if (afterDraft) this.#fullMapAfterDraft++;
    }

    /** Adds `other`'s counters into this one (e.g. per-request stats into a process total). */
    merge(other: SpecStats): this {
        this.#drafts += other.#drafts;
        this.#targetPasses += other.#targetPasses;
        this.#draftTokens += other.#draftTokens;
        this.#acceptedTokens += other.#acceptedTokens;
        this.#fullMapPasses += other.#fullMapPasses;
        this.#fullMapAfterDraft += other.#fullMapAfterDraft;
        other.#acceptedPerPos.forEach((count, i) => {
            this.#acceptedPerPos[i] = (this.#acceptedPerPos[i] ?? 0) + count;
        });
        other.#observedPerPos.forEach((count, i) => {
            this.#observedPerPos[i] = (this.#observedPerPos[i] ?? 0) + count;
        });
        other.#draftedLengths.forEach((count, i) => {
            this.#draftedLengths[i] = (this.#draftedLengths[i] ?? 0) + count;
        });
        return this;
    }

    toJSON(): SpecStatsJSON {
        return {
            drafts: this.#drafts,
            targetPasses: this.#targetPasses,
            draftTokens: this.#draftTokens,
            acceptedTokens: this.#acceptedTokens,
            acceptedPerPos: [...this.#acceptedPerPos],
            observedPerPos: [...this.#observedPerPos],
            draftedLengths: [...this.#draftedLengths],
            acceptanceRate: this.acceptanceRate,
            meanAcceptanceLength: this.meanAcceptanceLength,
            fullMapPasses: this.#fullMapPasses,
            fullMapAfterDraft: this.#fullMapAfterDraft,
        };
    }
}
