/**
 * Tiers and targets resolved from config, and the route plan: the ordered list of targets one request
 * may try. Building a plan is pure (test/unit/router/plan.test.ts):
 *
 *   [the decided tier's targets, the session's pinned target first] ++ [each fallback tier's targets]
 *
 * with repeated provider/model pairs kept once (their first place wins). A tier's fallback list
 * defaults to every higher tier ascending, then every lower tier descending. A `least_loaded` tier's
 * targets come in the order `leastLoaded` gives (fewest in flight first, ties in turn); the pinned
 * target still goes first.
 */
import type { ErrorCode } from "../errors/codes.js";
import type { Provider } from "../providers/Provider.js";
import type { CircuitBreaker } from "./CircuitBreaker.js";
import type { PriceConfig, RouterConfig, TargetConfig } from "./config.js";
import { noCharge, priceOf } from "./cost.js";

/** Effective reliability settings of one target. */
export interface TargetSettings {
    maxRetries: number;
    attemptTimeoutMs: number;
    firstTokenTimeoutMs: number;
    /** Slow-sample threshold for the latency breaker; null = no latency trigger. */
    ttftBudgetMs: number | null;
}

export interface ResolvedTarget {
    tier: string;
    tierIndex: number;
    provider: Provider;
    model: string;
    /** `<provider>/<model>`: the breaker and metrics key. */
    key: string;
    settings: TargetSettings;
    /** Shared by every target with the same key; undefined when breakers are disabled. */
    breaker: CircuitBreaker | undefined;
    price: PriceConfig | undefined;
}

export interface ResolvedTier {
    name: string;
    index: number;
    targets: readonly ResolvedTarget[];
    /** Fallback tier indexes in order. */
    fallback: readonly number[];
    balance: "ordered" | "least_loaded";
}

export function defaultFallback(index: number, tierCount: number): number[] {
    const order: number[] = [];
    for (let i = index + 1; i < tierCount; i++) order.push(i);
    for (let i = index - 1; i >= 0; i--) order.push(i);
    return order;
}

export interface ResolveTiersDeps {
    providers: ReadonlyMap<string, Provider>;
    breakerFor: (provider: string, model: string) => CircuitBreaker | undefined;
}

export function resolveTiers(config: RouterConfig, deps: ResolveTiersDeps): ResolvedTier[] {
    const tierIndex = new Map(config.tiers.map((t, i) => [t.name, i]));
    return config.tiers.map((tier, index) => {
        const targets = tier.targets.map((target) => resolveTarget(config, deps, index, target));
        return {
            name: tier.name,
            index,
            fallback:
                tier.fallback?.map((name) => tierIndex.get(name)!) ??
                defaultFallback(index, config.tiers.length),
            targets,
            balance:
                tier.balance ??
                (targets.every((t) => t.provider.type === "local") ? "least_loaded" : "ordered"),
        };
    });
}

/** One target of tier `index` (its settings from the target, else `reliability` and `breaker`). */
export function resolveTarget(
    config: RouterConfig,
    deps: ResolveTiersDeps,
    index: number,
    target: Pick<TargetConfig, "provider" | "model"> & Partial<TargetConfig>,
): ResolvedTarget {
    const r = config.reliability;
    const provider = deps.providers.get(target.provider)!;
    return {
        tier: config.tiers[index]!.name,
        tierIndex: index,
        provider,
        model: target.model,
        key: `${target.provider}/${target.model}`,
        settings: {
            maxRetries: target.maxRetries ?? r.maxRetries,
            attemptTimeoutMs: target.attemptTimeoutMs ?? r.attemptTimeoutMs,
            firstTokenTimeoutMs: target.firstTokenTimeoutMs ?? r.firstTokenTimeoutMs,
            ttftBudgetMs:
                target.ttftBudgetMs === undefined ? config.breaker.ttftBudgetMs : target.ttftBudgetMs,
        },
        breaker: deps.breakerFor(target.provider, target.model),
        // The local tier has no per-token bill: free unless the price table names it.
        price:
            priceOf(config.prices, target.provider, target.model) ??
            (provider.type === "local" ? noCharge : undefined),
    };
}

/**
 * A least-loaded tier's targets: ascending by `load` (requests in flight); among equally loaded targets,
 * listed order rotated by `turn`, so idle replicas take new sessions in turn instead of the first one
 * taking them all. Stable and pure: the same inputs give the same order.
 */
export function leastLoaded(
    targets: readonly ResolvedTarget[],
    load: (target: ResolvedTarget) => number,
    turn: number,
): ResolvedTarget[] {
    const n = targets.length;
    const rank = targets.map((target, i) => ({ target, load: load(target), turn: (i - (turn % n) + n) % n }));
    rank.sort((a, b) => a.load - b.load || a.turn - b.turn);
    return rank.map((r) => r.target);
}

/** How a plan orders least-loaded tiers: the load measure and the turn that breaks ties. */
export interface Balancing {
    load: (target: ResolvedTarget) => number;
    turn: number;
}

/**
 * The ordered targets for a request decided to `tierIndex`; `pinned` (provider/model key) goes first in
 * its tier. Without `balancing` every tier keeps its listed order.
 */
export function buildPlan(
    tiers: readonly ResolvedTier[],
    tierIndex: number,
    pinned?: string,
    balancing?: Balancing,
): ResolvedTarget[] {
    const tier = tiers[tierIndex]!;
    const plan: ResolvedTarget[] = [];
    const seen = new Set<string>();
    const pinnedTarget = pinned === undefined ? undefined : tier.targets.find((t) => t.key === pinned);
    if (pinnedTarget) addOnce(plan, seen, pinnedTarget);
    for (const target of ordered(tier, balancing)) addOnce(plan, seen, target);
    for (const fallback of tier.fallback)
        for (const target of ordered(tiers[fallback]!, balancing)) addOnce(plan, seen, target);
    return plan;
}

// buildPlan's helpers live at module level: it runs on every request, and under tsx every named
// closure made per call also costs a defineProperty for its name.
function addOnce(plan: ResolvedTarget[], seen: Set<string>, target: ResolvedTarget): void {
    if (seen.has(target.key)) return;
    seen.add(target.key);
    plan.push(target);
}

function ordered(tier: ResolvedTier, balancing: Balancing | undefined): readonly ResolvedTarget[] {
    return balancing && tier.balance === "least_loaded" && tier.targets.length > 1
        ? leastLoaded(tier.targets, balancing.load, balancing.turn)
        : tier.targets;
}

/** Whether an error moves the request to the next target: retryable ones always, others if configured. */
export function fallsBack(
    error: { code: ErrorCode; retryable: boolean },
    fallbackOn: ReadonlySet<ErrorCode>,
): boolean {
    return error.retryable || fallbackOn.has(error.code);
}

/**
 * The plan with its first target moved behind the other targets of its tier (a version-regressed target,
 * router/versions/); unchanged when no other target of that tier follows it.
 */
export function demoteFirst(plan: readonly ResolvedTarget[]): ResolvedTarget[] {
    const [first, ...rest] = plan;
    if (!first) return [];
    const end = rest.findLastIndex((t) => t.tierIndex === first.tierIndex);
    if (end < 0) return [...plan];
    return [...rest.slice(0, end + 1), first, ...rest.slice(end + 1)];
}

/** The plan with `target` first (a canary's candidate target); its other place, if any, is dropped. */
export function promoteTarget(plan: readonly ResolvedTarget[], target: ResolvedTarget): ResolvedTarget[] {
    return [target, ...plan.filter((t) => t.key !== target.key)];
}
