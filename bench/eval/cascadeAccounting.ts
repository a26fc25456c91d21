/**
 * What a labelled set says about cascade decisions (a request tried on a lower tier whose cascade may
 * escalate it one tier up), for the router eval. Pure.
 *
 * The eval has answers from no model, so it cannot tell whether the lower tier's answer would fail its
 * cascade check (acceptance rate, confidence, validators). It reports what holds either way: how many
 * decisions were cascades, how many of those started below the labelled tier (under-routed unless the
 * escalation fires), and the bounds that follow: under-routing and cost when every too-low cascade
 * escalates and no other does (a perfect signal; an escalation pays both tiers), and cost when every
 * cascade escalates (the most a cascade can cost).
 */

/** One routed request: the tier it is served first, and the tier its cascade may escalate to. */
export interface RoutedDecision {
    first: number;
    cascadeTo: number | null;
}

export interface CascadeAccounting {
    /** Decisions that were cascades, and their share of the set. */
    cascades: number;
    cascadeShare: number;
    /** Cascades whose first tier is below the label: under-routed unless the escalation catches them. */
    tooLow: number;
    /** Under-routing (share of the set) if every too-low cascade escalated. */
    underRoutingIfCaught: number;
    /** Cost vs all-top-tier: each request at its first tier only (no escalation). */
    costShareFirst: number;
    /** Cost when exactly the too-low cascades escalate (a perfect signal), paying both tiers. */
    costShareCaught: number;
    /** Cost when every cascade escalates, paying both tiers: the upper bound. */
    costShareAllEscalate: number;
}

/**
 * `labels[i]` is the needed tier, `costs[i][t]` the price of request i on tier t (the top tier last).
 */
export function cascadeAccounting(
    labels: readonly number[],
    decisions: readonly RoutedDecision[],
    costs: readonly (readonly number[])[],
): CascadeAccounting {
    const n = labels.length;
    if (decisions.length !== n || costs.length !== n)
        throw new RangeError("labels, decisions and costs must have one entry per request");
    let cascades = 0;
    let tooLow = 0;
    let underIfCaught = 0;
    let first = 0;
    let caught = 0;
    let all = 0;
    let top = 0;
    for (let i = 0; i < n; i++) {
        const { first: tier, cascadeTo } = decisions[i]!;
        const cost = costs[i]!;
        top += cost.at(-1)!;
        first += cost[tier]!;
        const low = tier < labels[i]!;
        if (cascadeTo === null) {
            if (low) underIfCaught++;
            caught += cost[tier]!;
            all += cost[tier]!;
            continue;
        }
        cascades++;
        const both = cost[tier]! + cost[cascadeTo]!;
        all += both;
        if (low) {
            tooLow++;
            caught += both;
            if (cascadeTo < labels[i]!) underIfCaught++;
        } else {
            caught += cost[tier]!;
        }
    }
    const share = (x: number): number => (n === 0 ? 0 : x / n);
    const ofTop = (x: number): number => (top === 0 ? 0 : x / top);
    return {
        cascades,
        cascadeShare: share(cascades),
        tooLow,
        underRoutingIfCaught: share(underIfCaught),
        costShareFirst: ofTop(first),
        costShareCaught: ofTop(caught),
        costShareAllEscalate: ofTop(all),
    };
}
