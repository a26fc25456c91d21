/** One routed request's bookkeeping: what ends up in its routing record, filled in as it runs. */
import type { ChatRequest } from "../chat/types.js";
import type { CacheKeys } from "./cacheKey.js";
import type { Decided } from "./Decider.js";
import type { ResolvedTier } from "./plan.js";
import type { AttemptRecord, CascadeRecord, HedgeRecord, RoutingRecord } from "./types.js";

export interface RouteContext {
    requestId: string;
    /** When the router received the request (ISO 8601). */
    timestamp: string;
    /** Monotonic ms the request started at. */
    startedAt: number;
    request: ChatRequest & { max_tokens: number };
    decided: Decided;
    stream: boolean;
    /** Every attempt in order (runPlan appends them). */
    attempts: AttemptRecord[];
    cache: RoutingRecord["cache"];
    cacheMatch: RoutingRecord["cache_match"];
    /** The request's cache keys; undefined when the cache is off or bypassed. */
    cacheKeys: CacheKeys | undefined;
    ttftMs: number | null;
    cascade: CascadeRecord[];
    /** The hedge of the first attempt; null until one was due. */
    hedge: HedgeRecord | null;
    /** Cascade escalations so far. */
    escalations: number;
    /** The tier the first rejected answer came from; null until a cascade escalated. */
    escalatedFrom: string | null;
    /** The highest tier a cascade escalated to; the session's pin moves there. */
    escalatedTo: ResolvedTier | undefined;
}
