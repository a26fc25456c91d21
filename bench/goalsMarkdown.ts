/** The goals table both bench reports print (bench/index.ts on the CPU, bench/gpuCheckReport.ts on a GPU). */
export type GoalRow = [what: string, measured: string, target: string];

export function goalsMarkdown(rows: readonly GoalRow[]): string {
    return [
        "## Goals (ratios measured in this run)",
        "",
        "| goal | measured | target |",
        "| --- | --- | --- |",
        ...rows.map(([what, value, goal]) => `| ${what} | ${value} | ${goal} |`),
    ].join("\n");
}
