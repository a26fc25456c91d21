/**
 * What the engine serves, as ListModels and the gateway's model lists report it: the target, each loaded
 * draft with its compatibility report and mode, and each refused draft (not loaded, with why).
 */
import type { DraftMode, LoadedModel, ResolvedDraft } from "./loadModels.js";
import { modelCapabilities, type ModelCapabilities } from "./modelCapabilities.js";
import type { CompatibilityReport } from "./vocabTypes.js";

export interface ModelInfo {
    id: string;
    role: "target" | "draft";
    path: string;
    vocabSize: number;
    contextSize: number;
    /** Drafts only: the report against the target, and whether the draft is in use. */
    compatibility?: CompatibilityReport;
    /** Drafts only: how the draft is used (refused drafts: undefined, `loaded` false). */
    draftMode?: DraftMode;
    loaded: boolean;
    /** Chat template family, FIM and tool-call support; undefined for a refused (unloaded) draft. */
    capabilities?: ModelCapabilities;
}

export function describeModels(
    target: LoadedModel,
    drafts: ReadonlyMap<string, LoadedModel & { resolved: ResolvedDraft }>,
    refused: readonly ResolvedDraft[],
): ModelInfo[] {
    const info = (m: LoadedModel, role: "target" | "draft"): ModelInfo => ({
        id: m.resolved.id,
        role,
        path: m.resolved.path,
        vocabSize: m.resolved.vocab.tokens.length,
        contextSize: m.context.contextSize,
        loaded: true,
        capabilities: modelCapabilities(m.model),
    });
    return [
        info(target, "target"),
        ...[...drafts.values()].map((d) => ({
            ...info(d, "draft"),
            compatibility: d.resolved.compatibility,
            draftMode: d.resolved.mode,
        })),
        ...refused.map((d) => ({
            id: d.id,
            role: "draft" as const,
            path: d.path,
            vocabSize: d.vocab.tokens.length,
            contextSize: 0,
            compatibility: d.compatibility,
            loaded: false,
        })),
    ];
}
