/**
 * The drafters one request gets, and the controller that runs them. Fixed modes get their one drafter
 * at a fixed k; AUTO gets every compatible draft model plus n-gram lookup and, for a request with a
 * session, suffix lookup over the session's earlier requests; the engine-wide policy chooses among them
 * (and none) per request and step.
 */
import type { Config, SpeculationMode } from "../config/schema.js";
import { SpeculationController } from "../speculative/SpeculationController.js";
import type { ControllerDrafter } from "../speculative/controllerTypes.js";
import type { SpeculationPolicy } from "../speculative/SpeculationPolicy.js";
import type { SuffixPool } from "../speculative/SuffixPool.js";
import { SuffixProposer } from "../speculative/SuffixProposer.js";
import type { Slot } from "./Slot.js";

/** What of a resolved request chooses its drafters. */
export interface ControllerRequest {
    mode: SpeculationMode;
    maxDraftTokens: number;
    /** The request's task signature (AUTO keys what it learned by it). */
    signature: string;
    /** A loaded draft's id; undefined for the mode's default drafters. */
    draftModel?: string | undefined;
    sessionId?: string | undefined;
    /** The request's cache scope (a tenant): suffix drafting never crosses it (suffixNamespace). */
    cacheScope?: string | undefined;
}

/**
 * The suffix pool's namespace of a request: its session within its cache scope. A session id is the
 * client's to choose, so two tenants (gateway keys) may send the same one; keyed by it alone, one
 * tenant's text would draft for the other's requests, and acceptance speed, which the client sees, would
 * tell whether a guessed continuation is in it. JSON keeps the pair unambiguous whatever either holds.
 */
export function suffixNamespace(cacheScope: string | undefined, sessionId: string): string {
    return JSON.stringify([cacheScope ?? "", sessionId]);
}

export interface ControllerDeps {
    policy: SpeculationPolicy;
    speculation: Config["speculation"];
    /** Earlier requests' tokens per session (undefined when suffix drafting is off). */
    suffixPool: SuffixPool | undefined;
}

export function speculationControllerFor(
    request: ControllerRequest,
    slot: Slot,
    deps: ControllerDeps,
): SpeculationController {
    const { policy, speculation, suffixPool } = deps;
    const lookup = slot.ngram({ minN: speculation.ngram.minN, maxN: speculation.ngram.maxN });
    const suffix: ControllerDrafter[] =
        suffixPool && request.sessionId
            ? [
                  {
                      candidate: { id: "suffix", costPerCall: true },
                      proposer: new SuffixProposer(
                          suffixPool,
                          suffixNamespace(request.cacheScope, request.sessionId),
                          lookup,
                      ),
                  },
              ]
            : [];
    const ngram: ControllerDrafter = { candidate: { id: "ngram", costPerCall: true }, proposer: lookup };
    const model = (id: string): ControllerDrafter => ({
        candidate: { id, costPerCall: false },
        proposer: slot.drafters.get(id)!,
    });
    const draftId = request.draftModel;
    let drafters: ControllerDrafter[];
    if (request.mode === "off") drafters = [];
    else if (request.mode === "ngram") drafters = [ngram];
    else if (request.mode === "suffix") drafters = suffix;
    else if (request.mode === "draft_model") {
        const id = draftId ?? slot.drafters.keys().next().value!;
        drafters = [model(id)];
    } else {
        const only = draftId !== undefined ? [draftId] : [...slot.drafters.keys()];
        drafters = [...only.map(model), ngram, ...suffix];
    }
    return new SpeculationController(policy, {
        drafters,
        signature: request.signature,
        maxK: request.maxDraftTokens,
        adaptive: request.mode === "auto",
        minConfidence: speculation.minDraftConfidence,
    });
}
