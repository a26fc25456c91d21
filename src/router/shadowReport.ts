/**
 * The shadow evaluation report: routing records that carry a shadow candidate's decision (router config
 * `shadow`) → how the candidate policy compares with the incumbent: the tiers each chose, how often they
 * agree, what the candidate would have cost for the same answers, and where they disagree by task type.
 * Pure; feed it the records (`onRecord`) or the parsed lines of `records.path`.
 */
import type { RoutingRecord } from "./types.js";

/** Disagreements of one task type (`(none)` when the caller sent no `hints.task_type`). */
export interface ShadowTaskRow {
    requests: number;
    disagreements: number;
    /** Disagreements where the candidate chose a higher (costlier) tier than the incumbent. */
    candidateHigher: number;
    /** Disagreements where the candidate chose a lower tier. */
    candidateLower: number;
}

export interface ShadowReport {
    /** Versions seen on the compared records. */
    incumbentVersions: string[];
    candidateVersions: string[];
    /** Records with a shadow decision. */
    requests: number;
    /** Share of them where both policies chose the same tier (0 when there are none). */
    agreement: number;
    /** Requests per tier chosen, by each policy. */
    incumbentTiers: Record<string, number>;
    candidateTiers: Record<string, number>;
    /** Disagreements as `"<incumbent tier>→<candidate tier>"`: count. */
    transitions: Record<string, number>;
    /**
     * Cost over the requests both sides priced (served, not a cache hit, both models priced): what the
     * incumbent's answers cost and what the candidate's tiers would have cost for the same usage.
     */
    cost: { pricedRequests: number; incumbentUsd: number; candidatePredictedUsd: number };
    byTaskType: Record<string, ShadowTaskRow>;
}

const bump = (counts: Record<string, number>, key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
};

/** `tiers` (cheapest first) orders the tiers for the higher/lower split. */
export function shadowReport(records: Iterable<RoutingRecord>, tiers: readonly string[]): ShadowReport {
    const rank = new Map(tiers.map((t, i) => [t, i]));
    const incumbentVersions = new Set<string>();
    const candidateVersions = new Set<string>();
    const report: ShadowReport = {
        incumbentVersions: [],
        candidateVersions: [],
        requests: 0,
        agreement: 0,
        incumbentTiers: {},
        candidateTiers: {},
        transitions: {},
        cost: { pricedRequests: 0, incumbentUsd: 0, candidatePredictedUsd: 0 },
        byTaskType: {},
    };
    let agreed = 0;
    for (const record of records) {
        const shadow = record.shadow;
        if (!shadow) continue;
        report.requests++;
        incumbentVersions.add(record.policy_version);
        candidateVersions.add(shadow.policy_version);
        bump(report.incumbentTiers, shadow.incumbent_tier);
        bump(report.candidateTiers, shadow.tier);
        const task = (report.byTaskType[record.task_type ?? "(none)"] ??= {
            requests: 0,
            disagreements: 0,
            candidateHigher: 0,
            candidateLower: 0,
        });
        task.requests++;
        if (shadow.agrees) agreed++;
        else {
            task.disagreements++;
            bump(report.transitions, `${shadow.incumbent_tier}→${shadow.tier}`);
            const up = (rank.get(shadow.tier) ?? 0) > (rank.get(shadow.incumbent_tier) ?? 0);
            if (up) task.candidateHigher++;
            else task.candidateLower++;
        }
        if (record.cost_usd !== null && shadow.predicted_cost_usd !== null) {
            report.cost.pricedRequests++;
            report.cost.incumbentUsd += record.cost_usd;
            report.cost.candidatePredictedUsd += shadow.predicted_cost_usd;
        }
    }
    report.agreement = report.requests === 0 ? 0 : agreed / report.requests;
    report.incumbentVersions = [...incumbentVersions];
    report.candidateVersions = [...candidateVersions];
    return report;
}
