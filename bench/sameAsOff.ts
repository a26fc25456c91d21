/**
 * Whether speculation changed what was generated: each system's outputs against OFF's for the same prompt
 * (and seed, above temperature 0). Pure.
 */
import type { CompareDraftResult } from "./e2e/compareDraft.js";

/** "n/m": outputs of the speculative systems equal to OFF's for the same prompt, over every set. */
export function sameAsOff(r: CompareDraftResult): string {
    let same = 0;
    let all = 0;
    for (const bySystem of Object.values(r.results)) {
        const off = bySystem.off?.outputs ?? [];
        for (const [system, t] of Object.entries(bySystem)) {
            if (system === "off") continue;
            t.outputs.forEach((o, i) => {
                all++;
                if (sameOutput(o, off[i])) same++;
            });
        }
    }
    return `${same}/${all}`;
}

/** Whether two runs generated the same token ids. */
export function sameOutput(a: readonly number[], b: readonly number[] | undefined): boolean {
    return a.length === b?.length && a.every((token, j) => token === b[j]);
}
