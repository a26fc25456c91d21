/**
 * The rule-based routing policy: pure functions, table-tested (test/unit/router/policy.test.ts).
 * Config rules are compiled once (keyword lists become one regular expression per rule), then every
 * decision is a first-match scan over plain data: deterministic, explainable (the reason names the
 * rule), and far below the 0.2 ms p99 decision budget.
 *
 * Precedence: a forced tier (`hints.tier`) → the first matching rule → the classifier (when one is
 * plugged in and it does not abstain) → the default tier. Session affinity is applied afterwards by
 * the router (an affinity pin can raise the tier, never lower it).
 *
 * A classifier's cascade decision (a verdict with `cascadeTo`: unsure between two tiers) is served at
 * its lower tier only when that tier has a cascade that can escalate (`ResolvedPolicy.cascadeTiers`) and
 * `cascadeTo` is the next tier up (an escalation moves one tier): the cascade checks the cheaper answer
 * on its signals and escalates a failed one. Without such a cascade nothing would catch a too-low guess,
 * so the decision takes the higher tier.
 */
import type { RouterConfig } from "./config.js";
import type { RequestFeatures } from "./features.js";
import type { ClassifierVerdict } from "./RoutingClassifier.js";

export interface CompiledRule {
    name: string;
    tier: string;
    reason: string;
    taskTypes: ReadonlySet<string> | undefined;
    tags: readonly string[] | undefined;
    keywords: RegExp | undefined;
    minContextTokens: number | undefined;
    maxContextTokens: number | undefined;
    maxLatencyBudgetMs: number | undefined;
    hasTools: boolean | undefined;
    minToolErrorStreak: number | undefined;
    namespaces: ReadonlySet<string> | undefined;
}

export interface ResolvedPolicy {
    /** Tier names, cheapest first. */
    tiers: readonly string[];
    tierIndex: ReadonlyMap<string, number>;
    defaultTier: string;
    rules: readonly CompiledRule[];
    /**
     * Tiers whose answers a cascade checks and may escalate (a `cascade` config, a tier above it, and
     * `cascade.maxEscalations` > 0): where a classifier's cascade decision may start.
     */
    cascadeTiers: ReadonlySet<string>;
}

export interface PolicyDecision {
    tier: string;
    /** `hint:tier`, `rule:<name>`, `classifier:<name>` or `default`. */
    reason: string;
    /** The classifier's score when it decided, else null. */
    score: number | null;
    /**
     * A cascade decision: `tier` is served first and its cascade may escalate to this tier (the
     * classifier was unsure between the two); null for a plain decision.
     */
    cascadeTo: string | null;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whole words or phrases, case-insensitive, Unicode-aware boundaries ("lock" does not match "block"). */
export function keywordPattern(keywords: readonly string[]): RegExp {
    const alternatives = keywords.map((k) => escapeRegExp(k.trim()).replace(/\s+/g, "\\s+")).join("|");
    return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, "iu");
}

export function compilePolicy(config: Pick<RouterConfig, "tiers" | "policy" | "cascade">): ResolvedPolicy {
    const tiers = config.tiers.map((t) => t.name);
    return {
        tiers,
        tierIndex: new Map(tiers.map((name, i) => [name, i])),
        defaultTier: config.policy.defaultTier ?? tiers[0]!,
        cascadeTiers: new Set(
            config.cascade.maxEscalations > 0
                ? config.tiers.slice(0, -1).flatMap((t) => (t.cascade ? [t.name] : []))
                : [],
        ),
        rules: config.policy.rules.map(({ name, tier, when }) => ({
            name,
            tier,
            reason: `rule:${name}`,
            taskTypes: when.taskTypes && new Set(when.taskTypes),
            tags: when.tags,
            keywords: when.keywords && keywordPattern(when.keywords),
            minContextTokens: when.minContextTokens,
            maxContextTokens: when.maxContextTokens,
            maxLatencyBudgetMs: when.maxLatencyBudgetMs,
            hasTools: when.hasTools,
            minToolErrorStreak: when.minToolErrorStreak,
            namespaces: when.namespaces && new Set(when.namespaces),
        })),
    };
}

/** Whether every condition the rule sets holds for these features. */
export function ruleMatches(rule: CompiledRule, f: RequestFeatures): boolean {
    if (rule.taskTypes && (f.taskType === undefined || !rule.taskTypes.has(f.taskType))) return false;
    if (rule.tags && !rule.tags.some((tag) => f.tags.includes(tag))) return false;
    if (rule.minContextTokens !== undefined && f.contextTokens < rule.minContextTokens) return false;
    if (rule.maxContextTokens !== undefined && f.contextTokens > rule.maxContextTokens) return false;
    if (
        rule.maxLatencyBudgetMs !== undefined &&
        (f.latencyBudgetMs === undefined || f.latencyBudgetMs > rule.maxLatencyBudgetMs)
    ) {
        return false;
    }
    if (rule.hasTools !== undefined && f.hasTools !== rule.hasTools) return false;
    if (rule.minToolErrorStreak !== undefined && f.toolErrorStreak < rule.minToolErrorStreak) return false;
    if (rule.namespaces && !rule.namespaces.has(f.namespace)) return false;
    // The regex last: it is the only condition whose cost grows with the prompt.
    if (rule.keywords && !rule.keywords.test(f.lastUserText)) return false;
    return true;
}

/** The first matching rule's decision, or undefined when none matches. */
export function matchRules(f: RequestFeatures, policy: ResolvedPolicy): PolicyDecision | undefined {
    for (const rule of policy.rules) {
        if (ruleMatches(rule, f))
            return { tier: rule.tier, reason: rule.reason, score: null, cascadeTo: null };
    }
    return undefined;
}

/**
 * The policy's decision. `forcedTier` (from `hints.tier`, already checked to exist) wins; then rules;
 * then the classifier's verdict (if given and naming a known tier; a cascade decision as the module
 * comment says); then the default tier.
 */
export function decideTier(
    f: RequestFeatures,
    policy: ResolvedPolicy,
    forcedTier?: string,
    verdict?: ClassifierVerdict,
): PolicyDecision {
    if (forcedTier !== undefined)
        return { tier: forcedTier, reason: "hint:tier", score: null, cascadeTo: null };
    const ruled = matchRules(f, policy);
    if (ruled) return ruled;
    const tierIndex = verdict && policy.tierIndex.get(verdict.tier);
    if (verdict && tierIndex !== undefined) {
        const reason = `classifier:${verdict.classifier}`;
        const upIndex = verdict.cascadeTo === undefined ? undefined : policy.tierIndex.get(verdict.cascadeTo);
        if (upIndex === undefined || upIndex <= tierIndex)
            return { tier: verdict.tier, reason, score: verdict.score, cascadeTo: null };
        // A cascade escalates one tier per rejected answer, so it starts right below the tier it may reach.
        return policy.cascadeTiers.has(verdict.tier) && upIndex === tierIndex + 1
            ? { tier: verdict.tier, reason, score: verdict.score, cascadeTo: verdict.cascadeTo! }
            : { tier: verdict.cascadeTo!, reason, score: verdict.score, cascadeTo: null };
    }
    return { tier: policy.defaultTier, reason: "default", score: null, cascadeTo: null };
}
