import { describe, expect, it } from "vitest";
import { barChartSvg, familyOf, ticks } from "../../../bench/chart.js";

describe("bench chart", () => {
    it("gives each system family one colour, in a legend", () => {
        const svg = barChartSvg("t", { unit: "×", title: "tokens/s ÷ OFF" }, [
            {
                label: "edit",
                bars: [
                    { label: "off", value: 1 },
                    { label: "ngram k=2", value: 1.4 },
                    { label: "ngram k=8", value: 1.2 },
                    { label: "auto", value: 1.5 },
                ],
            },
        ]);
        const fills = [...svg.matchAll(/<rect x="260"[^>]*fill="(#[0-9a-f]+)"/g)].map((m) => m[1]);
        expect(fills).toHaveLength(4);
        expect(fills[1]).toBe(fills[2]); // both n-gram bars
        expect(new Set(fills).size).toBe(3);
        for (const family of ["off", "ngram", "auto"]) expect(svg).toContain(`>${family}</text>`);
        expect(familyOf("draft k=4")).toBe("draft");
    });

    it("has an x axis with round ticks in the unit, its title, and a labelled reference line", () => {
        const svg = barChartSvg(
            "t",
            { unit: "×", title: "tokens/s ÷ OFF", reference: { value: 1, label: "OFF = 1×" } },
            [{ label: "g", bars: [{ label: "auto", value: 1.7 }] }],
        );
        expect(ticks(1.7)).toEqual([0, 0.5, 1, 1.5, 2]);
        for (const t of ["0×", "0.5×", "1×", "1.5×", "2×", "tokens/s ÷ OFF", "OFF = 1×"])
            expect(svg).toContain(`>${t}</text>`);
    });
});
