/**
 * One place that turns an engine request into what a generation runs with, and refuses what cannot run:
 * target id, prompt (empty, byte size, token ids, context fit), `maxTokens`, sampling ranges, speculation
 * mode, draft id and `maxDraftTokens`. Pure apart from the tokenizer it is given; the gRPC mapping checks
 * only what the wire format can get wrong, and every caller (gRPC, router, benches) gets these messages.
 *
 * Rules, in the order checked (each message says what to change):
 * - `model`: empty or the target's id, else E_MODEL_NOT_FOUND (checkModel, which Tokenize uses too).
 * - `prompt`: not empty; text over the byte bound is E_CONTEXT_OVERFLOW before tokenizing
 *   (promptByteLimit.ts); token ids in [0, vocabSize); fewer tokens than the context, else E_CONTEXT_OVERFLOW.
 * - `maxTokens`: a positive integer; clamped to the room the prompt leaves in the context.
 * - sampling: temperature in [0, 5], top_p in (0, 1], top_k a non-negative integer.
 * - `speculation.draftModel`: a loaded draft (a refused one is E_DRAFT_INCOMPATIBLE naming the rules it
 *   failed, an unknown one E_MODEL_NOT_FOUND); mode DRAFT_MODEL needs a loaded draft.
 * - `speculation.maxDraftTokens`: unset = the config's maximum; a positive integer, clamped to that
 *   maximum; 0 or less is an error (to turn speculation off, use mode OFF), as over gRPC.
 */
import { contextOverflowDetails } from "../errors/contextOverflow.js";
import type { SpeculationMode } from "../config/schema.js";
import { ErrorCode } from "../errors/codes.js";
import { InvalidArgumentError, ServiceError } from "../errors/ServiceError.js";
import type { Token } from "../speculative/types.js";
import { resolveSampling, type ResolvedSampling } from "./resolveSampling.js";
import { checkPromptBytes } from "./promptByteLimit.js";
import type { GenerateRequest } from "./types.js";

/** A draft refused at load for an incompatible tokenizer, with the compatibility rules it failed. */
export interface RefusedDraft {
    id: string;
    rules: readonly string[];
}

/** The model ids a request may name, and the refused ones it may name by mistake. */
export interface ModelIds {
    targetId: string;
    /** Loaded draft ids. */
    drafts: readonly string[];
    refusedDrafts: readonly RefusedDraft[];
}

/** What resolving needs to know about the loaded models and the config. */
export interface RequestContext extends ModelIds {
    contextSize: number;
    vocabSize: number;
    /** UTF-8 bytes beyond which a text prompt cannot fit (promptByteLimit.ts). */
    promptByteLimit: number;
    defaultMaxTokens: number;
    defaultMode: SpeculationMode;
    /** The config's `speculation.maxDraftTokens`: the default and the cap. */
    maxDraftTokens: number;
    /** Whether cross-request (suffix) drafting is on (`speculation.suffix.maxTokens` > 0). */
    suffixDrafting: boolean;
    /** Whether a token ends generation (a logit bias on one is refused). */
    isEog: (token: Token) => boolean;
    /** A fill-in-the-middle prompt's tokens in the target's FIM layout (throws E_FIM_UNSUPPORTED without FIM tokens). */
    infillTokens: (request: GenerateRequest & { suffix: string }) => Token[];
    /** The target's prompt tokenizer (BOS added when the model wants it). */
    tokenize: (text: string) => Token[];
}

export interface ResolvedRequest {
    promptTokens: Token[];
    /** Clamped to the room the prompt leaves in the context. */
    maxTokens: number;
    sampling: ResolvedSampling;
    stop: readonly string[];
    mode: SpeculationMode;
    /** A loaded draft's id, or undefined for the mode's default drafters. */
    draftModel: string | undefined;
    maxDraftTokens: number;
}

/** `model` must be unset, empty or the target's id; a draft's id or an unknown id is E_MODEL_NOT_FOUND. */
export function checkModel(model: string | undefined, ids: ModelIds): void {
    if (model === undefined || model === "" || model === ids.targetId) return;
    const isDraft = ids.drafts.includes(model) || ids.refusedDrafts.some((d) => d.id === model);
    throw new ServiceError(
        ErrorCode.ModelNotFound,
        isDraft
            ? `"${model}" is a draft model, not a target; leave model empty (or set "${ids.targetId}") and name drafts in speculation.draft_model`
            : `unknown model "${model}"; this server's target is "${ids.targetId}" (leave model empty for it; ListModels lists every model)`,
    );
}

/** `draftModel` must be a loaded draft: a refused one is E_DRAFT_INCOMPATIBLE, an unknown one E_MODEL_NOT_FOUND. */
function checkDraftModel(draftModel: string, ids: ModelIds): void {
    if (ids.drafts.includes(draftModel)) return;
    const refused = ids.refusedDrafts.find((d) => d.id === draftModel);
    throw refused
        ? new ServiceError(
              ErrorCode.DraftIncompatible,
              `draft model "${draftModel}" was refused at load: its tokenizer is incompatible with the target's (${refused.rules.join(", ") || "see ListModels"}) and speculation.translateIncompatibleDrafts is off; ListModels has the full report. Turn translation on, use a compatible draft, or use mode NGRAM`,
          )
        : new ServiceError(
              ErrorCode.ModelNotFound,
              `unknown draft model "${draftModel}"; loaded drafts: ${ids.drafts.join(", ") || "none"} (ListModels lists every model)`,
          );
}

/** Longest cache scope accepted: room for a tenant or key id, not a place for a prompt. */
export const maxCacheScopeChars = 256;

/** A request's cache scope (GenerateRequest.cacheScope) is at most `maxCacheScopeChars` long. */
export function checkCacheScope(scope: string | undefined): void {
    if (scope !== undefined && scope.length > maxCacheScopeChars)
        throw new InvalidArgumentError(
            `cache_scope is ${scope.length} characters; at most ${maxCacheScopeChars} (a tenant's or key's id)`,
        );
}

/**
 * Longest session id accepted: a conversation's id (agents send UUIDs). The suffix drafter keeps one
 * namespace per session and its memory cap counts tokens, not ids: unbounded ids would let tiny requests
 * hold megabytes each.
 */
export const maxSessionIdChars = 256;

/** A request's session id (GenerateRequest.sessionId) is at most `maxSessionIdChars` long. */
export function checkSessionId(sessionId: string | undefined): void {
    if (sessionId !== undefined && sessionId.length > maxSessionIdChars)
        throw new InvalidArgumentError(
            `session_id is ${sessionId.length} characters; at most ${maxSessionIdChars} (a conversation's id)`,
        );
}

export function resolveRequest(request: GenerateRequest, context: RequestContext): ResolvedRequest {
    const { contextSize } = context;
    checkModel(request.model, context);
    checkCacheScope(request.cacheScope);
    checkSessionId(request.sessionId);
    // Checked before tokenizing: a tokenizer that adds BOS would turn "" into one token. A FIM request
    // may have an empty prefix (the cursor at the start of the file).
    const prompt = request.prompt ?? "";
    if (prompt.length === 0 && request.suffix === undefined)
        throw new InvalidArgumentError(
            "prompt is empty; send prompt text or token ids (or messages for a chat)",
        );
    let promptTokens: Token[];
    if (request.suffix !== undefined) {
        const texts = [
            typeof prompt === "string" ? prompt : "",
            request.suffix,
            ...(request.extraContext ?? []).flatMap((c) => [c.name, c.text]),
        ];
        checkPromptBytes(texts, context.promptByteLimit, contextSize, "prompt");
        promptTokens = context.infillTokens({ ...request, suffix: request.suffix });
    } else if (typeof prompt === "string") {
        checkPromptBytes([prompt], context.promptByteLimit, contextSize, "prompt");
        promptTokens = context.tokenize(prompt);
    } else {
        promptTokens = [...prompt];
        for (const t of promptTokens) {
            if (!Number.isInteger(t) || t < 0 || t >= context.vocabSize)
                throw new InvalidArgumentError(
                    `prompt token id ${t} is outside the vocabulary [0, ${context.vocabSize})`,
                );
        }
    }
    if (promptTokens.length >= contextSize) {
        throw new ServiceError(
            ErrorCode.ContextOverflow,
            `prompt is ${promptTokens.length} tokens but the context holds ${contextSize}; shorten the prompt or raise engine.contextSize`,
            { details: contextOverflowDetails(promptTokens.length, contextSize) },
        );
    }
    const requested = request.maxTokens ?? context.defaultMaxTokens;
    if (!Number.isInteger(requested) || requested < 1)
        throw new InvalidArgumentError(`max_tokens must be a positive integer, got ${requested}`);
    const sampling = resolveSampling(request.sampling ?? {}, {
        size: context.vocabSize,
        isEog: context.isEog,
    });
    const speculation = request.speculation ?? {};
    const mode = speculation.mode ?? context.defaultMode;
    const draftModel = speculation.draftModel === "" ? undefined : speculation.draftModel;
    if (draftModel !== undefined) checkDraftModel(draftModel, context);
    if (mode === "suffix" && (!request.sessionId || !context.suffixDrafting)) {
        throw new InvalidArgumentError(
            context.suffixDrafting
                ? "speculation mode SUFFIX drafts from earlier requests of the same session; set session_id"
                : "speculation mode SUFFIX is off on this server (speculation.suffix.maxTokens = 0); use NGRAM or AUTO",
        );
    }
    if (mode === "draft_model" && context.drafts.length === 0) {
        throw new InvalidArgumentError(
            "speculation mode DRAFT_MODEL needs a draft model, and none is loaded; use NGRAM or AUTO",
        );
    }
    const draftTokens = speculation.maxDraftTokens ?? context.maxDraftTokens;
    if (!Number.isInteger(draftTokens) || draftTokens < 1) {
        throw new InvalidArgumentError(
            `speculation.max_draft_tokens must be a positive integer, got ${draftTokens}; leave it unset for the server default, or use mode OFF to not speculate`,
        );
    }
    return {
        promptTokens,
        maxTokens: Math.min(requested, contextSize - promptTokens.length),
        sampling,
        stop: request.stop ?? [],
        mode,
        draftModel,
        maxDraftTokens: Math.min(draftTokens, context.maxDraftTokens),
    };
}
