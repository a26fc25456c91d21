/** A dependency-free grouped horizontal bar chart as SVG (readable at a glance, diffable in git). */
export interface BarGroup {
    label: string;
    bars: { label: string; value: number }[];
}

export function barChartSvg(
    title: string,
    unit: string,
    groups: readonly BarGroup[],
    reference?: number,
): string {
    const rowHeight = 16;
    const labelWidth = 260;
    const width = 760;
    const plotWidth = width - labelWidth - 70;
    const max = Math.max(reference ?? 0, ...groups.flatMap((g) => g.bars.map((b) => b.value)), 1e-9);
    const rows = groups.reduce((n, g) => n + g.bars.length + 1, 0);
    const height = 40 + rows * rowHeight + 10;
    const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ];
    let y = 36;
    for (const g of groups) {
        parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${escape(g.label)}</text>`);
        y += rowHeight;
        for (const b of g.bars) {
            const w = Math.max(1, (b.value / max) * plotWidth);
            parts.push(
                `<text x="20" y="${y + 11}">${escape(b.label)}</text>`,
                `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 4}" fill="#4477aa"/>`,
                `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 11}">${b.value.toFixed(2)}${escape(unit)}</text>`,
            );
            y += rowHeight;
        }
    }
    if (reference !== undefined) {
        const x = labelWidth + (reference / max) * plotWidth;
        parts.push(
            `<line x1="${x.toFixed(1)}" y1="30" x2="${x.toFixed(1)}" y2="${height - 5}" stroke="#cc3311" stroke-dasharray="4 3"/>`,
        );
    }
    parts.push("</svg>");
    return parts.join("\n");
}
