/**
 * The engine's slots (Slot.ts): each a target sequence and, for every loaded draft model, a drafter on a
 * sequence of that draft's context (through TranslatingDraftProposer when its tokenizer differs from the
 * target's). Verification passes of all slots share one PassBatcher on the target context, drafting passes
 * one per draft context, so concurrent requests' passes are decoded in shared batches.
 */
import type { Config } from "../config/schema.js";
import { DraftModelProposer } from "./DraftModelProposer.js";
import type { LoadedModel, ResolvedDraft } from "./loadModels.js";
import { PassBatcher } from "./PassBatcher.js";
import { Slot } from "./Slot.js";
import { TranslatingDraftProposer } from "./TranslatingDraftProposer.js";

export function buildSlots(
    sequences: number,
    target: LoadedModel,
    drafts: ReadonlyMap<string, LoadedModel & { resolved: ResolvedDraft }>,
    speculation: Config["speculation"],
): Slot[] {
    const slots: Slot[] = [];
    // Prompt passes longer than the longest verification pass are not waited for between flushes.
    const batcher = new PassBatcher(speculation.maxDraftTokens + 1);
    // Drafting passes on each draft context are batched the same way (a draft pass takes 1 token, or the
    // history the draft has not seen yet).
    const draftBatchers = new Map(
        [...drafts.keys()].map((id) => [id, new PassBatcher(speculation.maxDraftTokens + 1)]),
    );
    for (let i = 0; i < sequences; i++) {
        const drafters = new Map<string, DraftModelProposer | TranslatingDraftProposer>();
        for (const [id, d] of drafts) {
            const draftSequence = d.context.getSequence();
            const direct = new DraftModelProposer(
                id,
                draftSequence,
                { minConfidence: speculation.minDraftConfidence },
                draftBatchers.get(id)!,
                i,
            );
            drafters.set(
                id,
                d.resolved.mode === "translated"
                    ? new TranslatingDraftProposer(direct, d.model, target.model)
                    : direct,
            );
        }
        slots.push(new Slot(i, target.context.getSequence(), drafters, batcher));
    }
    return slots;
}
