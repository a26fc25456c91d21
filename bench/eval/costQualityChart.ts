/**
 * A dependency-free cost/quality chart as SVG (house style of bench/chart.ts): x = cost as % of sending
 * everything to the top tier, y = quality as % of requests served at or above their needed tier. The
 * curve is the Pareto front of the threshold sweep; named points are the policies compared.
 */
export interface ChartPoint {
    label: string;
    x: number;
    y: number;
    color: string;
}

export function costQualitySvg(
    title: string,
    curve: readonly { x: number; y: number }[],
    points: readonly ChartPoint[],
): string {
    const width = 760;
    const height = 440;
    const left = 60;
    const right = 200;
    const top = 40;
    const bottom = 50;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    const yMin = Math.floor(Math.min(...curve.map((p) => p.y), ...points.map((p) => p.y)) / 10) * 10;
    const sx = (x: number): number => left + (x / 100) * plotW;
    const sy = (y: number): number => top + plotH - ((y - yMin) / (100 - yMin)) * plotH;
    const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
        `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    ];
    for (let x = 0; x <= 100; x += 20) {
        parts.push(
            `<line x1="${sx(x)}" y1="${top}" x2="${sx(x)}" y2="${top + plotH}" stroke="#eee"/>`,
            `<text x="${sx(x)}" y="${top + plotH + 15}" text-anchor="middle">${x}%</text>`,
        );
    }
    for (let y = yMin; y <= 100; y += 10) {
        parts.push(
            `<line x1="${left}" y1="${sy(y).toFixed(1)}" x2="${left + plotW}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`,
            `<text x="${left - 5}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${y}%</text>`,
        );
    }
    parts.push(
        `<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">cost, % of all-frontier</text>`,
        `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">served at or above the needed tier</text>`,
    );
    const path = [...curve]
        .sort((a, b) => a.x - b.x)
        .map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
        .join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="#4477aa" stroke-width="2"/>`);
    points.forEach((p, i) => {
        parts.push(
            `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="5" fill="${p.color}"/>`,
            `<circle cx="${left + plotW + 20}" cy="${top + 10 + i * 18}" r="5" fill="${p.color}"/>`,
            `<text x="${left + plotW + 30}" y="${top + 14 + i * 18}">${escape(p.label)}</text>`,
        );
    });
    parts.push(
        `<line x1="${left + plotW + 12}" y1="${top + 14 + points.length * 18}" x2="${left + plotW + 28}" y2="${top + 14 + points.length * 18}" stroke="#4477aa" stroke-width="2"/>`,
        `<text x="${left + plotW + 30}" y="${top + 18 + points.length * 18}">classifier, threshold sweep</text>`,
        "</svg>",
    );
    return parts.join("\n");
}
