/**
 * How far the evaluation sets' labels can be trusted as a target: a second annotator labelled the
 * independent set and a sample of the hand-written set blind, from the rubric alone
 * (secondAnnotator.json says how). Agreement and Cohen's kappa between the two, and the router's
 * agreement with each, on the same items. If two annotators disagreed often, a router could not be
 * asked to agree with one of them at 90 %; where they agree, the router's misses are its own.
 */
import { readFileSync } from "node:fs";
import type { DatasetItem } from "../../models/router/build/buildDataset.js";
import { routingMetrics } from "../../models/router/build/routingMetrics.js";
import { tierNames } from "../../models/router/build/buildDataset.js";

interface SecondLabels {
    about: string;
    labels: Record<string, { label: DatasetItem["label"]; confidence: "high" | "medium" | "low" }>;
}

export interface AnnotatorAgreement {
    items: number;
    /** Share of items both annotators put in the same tier. */
    agreement: number;
    /** Cohen's kappa: agreement beyond what the two label mixes give by chance. */
    kappa: number;
    /** The router's path against the set's labels and against the second annotator's, same items. */
    routerVsFirst: number;
    routerVsSecond: number;
    /** Items where the annotators differ: id, first → second. */
    differing: string[];
}

const secondLabels = (): SecondLabels =>
    JSON.parse(readFileSync(new URL("secondAnnotator.json", import.meta.url), "utf8")) as SecondLabels;

/** `decided[i]` is the router's tier index for `set[i]`; items the second annotator did not label are skipped. */
export function annotatorAgreement(
    set: readonly DatasetItem[],
    decided: readonly number[],
    second: SecondLabels = secondLabels(),
): AnnotatorAgreement {
    const first: number[] = [];
    const other: number[] = [];
    const router: number[] = [];
    const differing: string[] = [];
    set.forEach((item, i) => {
        const label = second.labels[item.id]?.label;
        if (label === undefined) return;
        first.push(tierNames.indexOf(item.label));
        other.push(tierNames.indexOf(label));
        router.push(decided[i]!);
        if (label !== item.label) differing.push(`${item.id} ${item.label}→${label}`);
    });
    const n = first.length;
    const observed = routingMetrics(first, other, tierNames.length).agreement;
    const share = (labels: readonly number[], t: number): number => labels.filter((l) => l === t).length / n;
    const chance = tierNames.reduce((sum, _, t) => sum + share(first, t) * share(other, t), 0);
    return {
        items: n,
        agreement: observed,
        kappa: chance === 1 ? 1 : (observed - chance) / (1 - chance),
        routerVsFirst: routingMetrics(first, router, tierNames.length).agreement,
        routerVsSecond: routingMetrics(other, router, tierNames.length).agreement,
        differing,
    };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The report's section (markdown lines) for named sets. */
export function annotatorSection(sets: readonly (readonly [string, AnnotatorAgreement])[]): string[] {
    const differing = sets.flatMap(([, a]) => a.differing);
    return [
        "## Are the labels a fair target? A second annotator",
        "",
        "A second annotator labelled the independent set and every fourth hand-written item blind, from the rubric (models/router/README.md) and the requests alone (bench/eval/secondAnnotator.json says how).",
        "",
        "| set | items | annotators agree | Cohen's kappa | router's path vs the set's labels | vs the second annotator's |",
        "| --- | --- | --- | --- | --- | --- |",
        ...sets.map(
            ([name, a]) =>
                `| ${name} | ${a.items} | ${pct(a.agreement)} | ${a.kappa.toFixed(2)} | ${pct(a.routerVsFirst)} | ${pct(a.routerVsSecond)} |`,
        ),
        "",
        `Where they differ: ${differing.join("; ") || "nowhere"}. Two annotators who agree this closely make the labels a fair target: the router's misses are its own, not the labels' noise. ` +
            "(Both annotators are AI assistants, as was the sets' author: their agreement bounds how consistently the rubric reads, not how people would label.)",
    ];
}
