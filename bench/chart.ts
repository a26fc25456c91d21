/**
 * A dependency-free grouped horizontal bar chart as SVG (readable at a glance, diffable in git): an x axis
 * with ticks and its unit, one colour per system family (the bar label's first word: `ngram k=4` and
 * `ngram k=8` share a colour) with a legend, and an optional labelled reference line (e.g. OFF = 1×).
 */
export interface BarGroup {
    label: string;
    bars: { label: string; value: number }[];
}

export interface ChartAxis {
    /** Appended to tick and bar values, e.g. "×" or " tok/s". */
    unit: string;
    /** What the x axis measures, e.g. "decode tokens/s ÷ OFF (same run)". */
    title: string;
    /** A vertical line at this value, with its label. */
    reference?: { value: number; label: string };
}

/** Paul Tol's colour-blind-safe qualitative palette. */
const palette = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb"];

/** The family a bar belongs to: its label's first word (`draft k=2` → `draft`). */
export function familyOf(label: string): string {
    return label.split(/[\s=]/)[0]!.toLowerCase();
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 × a power of ten. */
export function ticks(max: number, count = 5): number[] {
    const raw = max / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
    const out: number[] = [];
    for (let i = 0; ; i++) {
        const t = Number((i * step).toPrecision(6));
        out.push(t);
        if (t >= max) return out;
    }
}

export function barChartSvg(title: string, axis: ChartAxis, groups: readonly BarGroup[]): string {
    const rowHeight = 16;
    const labelWidth = 260;
    const width = 760;
    const plotWidth = width - labelWidth - 70;
    const dataMax = Math.max(
        axis.reference?.value ?? 0,
        ...groups.flatMap((g) => g.bars.map((b) => b.value)),
        1e-9,
    );
    const tickValues = ticks(dataMax);
    const max = tickValues.at(-1)!;
    const families = [...new Set(groups.flatMap((g) => g.bars.map((b) => familyOf(b.label))))];
    const colour = (label: string): string => palette[families.indexOf(familyOf(label)) % palette.length]!;
    const rows = groups.reduce((n, g) => n + g.bars.length + 1, 0);
    const plotTop = 36;
    const plotBottom = plotTop + rows * rowHeight;
    const height = plotBottom + 60;
    const x = (value: number): number => labelWidth + (value / max) * plotWidth;
    const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ];
    for (const t of tickValues) {
        parts.push(
            `<line x1="${x(t).toFixed(1)}" y1="${plotTop}" x2="${x(t).toFixed(1)}" y2="${plotBottom}" stroke="#eeeeee"/>`,
            `<text x="${x(t).toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle">${t}${escape(axis.unit)}</text>`,
        );
    }
    parts.push(
        `<line x1="${labelWidth}" y1="${plotBottom}" x2="${labelWidth + plotWidth}" y2="${plotBottom}" stroke="black"/>`,
        `<text x="${labelWidth + plotWidth / 2}" y="${plotBottom + 30}" text-anchor="middle">${escape(axis.title)}</text>`,
    );
    let y = plotTop;
    for (const g of groups) {
        parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${escape(g.label)}</text>`);
        y += rowHeight;
        for (const b of g.bars) {
            const w = Math.max(1, x(b.value) - labelWidth);
            parts.push(
                `<text x="20" y="${y + 11}">${escape(b.label)}</text>`,
                `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 4}" fill="${colour(b.label)}"/>`,
                `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 11}">${b.value.toFixed(2)}${escape(axis.unit)}</text>`,
            );
            y += rowHeight;
        }
    }
    if (axis.reference !== undefined) {
        const rx = x(axis.reference.value).toFixed(1);
        parts.push(
            `<line x1="${rx}" y1="30" x2="${rx}" y2="${plotBottom}" stroke="#cc3311" stroke-dasharray="4 3"/>`,
            `<text x="${rx}" y="${plotTop - 8}" text-anchor="middle" fill="#cc3311">${escape(axis.reference.label)}</text>`,
        );
    }
    let lx = 10;
    for (const family of families) {
        parts.push(
            `<rect x="${lx}" y="${height - 16}" width="10" height="10" fill="${colour(family)}"/>`,
            `<text x="${lx + 14}" y="${height - 7}">${escape(family)}</text>`,
        );
        lx += 24 + family.length * 7;
    }
    parts.push("</svg>");
    return parts.join("\n");
}
