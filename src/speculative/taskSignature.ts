/**
 * A coarse task signature of a prompt, under which acceptance is learned separately: the kind of
 * text (language cues) and how repetitive the context is (the share of 4-grams that occurred
 * before), which is what decides whether prompt lookup can work. Pure and O(prompt length).
 */
const window = 4;

export function taskSignature(tokens: readonly number[], text: string): string {
    return `${language(text)}|${repetitionBucket(repetition(tokens))}`;
}

/** Share of token 4-grams that already occurred earlier in the sequence, in [0, 1]. */
export function repetition(tokens: readonly number[]): number {
    if (tokens.length <= window) return 0;
    const seen = new Set<string>();
    let repeats = 0;
    for (let i = 0; i + window <= tokens.length; i++) {
        const key = `${tokens[i]},${tokens[i + 1]},${tokens[i + 2]},${tokens[i + 3]}`;
        if (seen.has(key)) repeats++;
        else seen.add(key);
    }
    return repeats / (tokens.length - window + 1);
}

function repetitionBucket(r: number): string {
    return r >= 0.3 ? "rep-high" : r >= 0.1 ? "rep-mid" : "rep-low";
}

function language(text: string): string {
    const sample = text.length > 4000 ? text.slice(-4000) : text;
    if (/^\s*(def |class \w+[:(]|import \w+$|from \w+ import)/m.test(sample)) return "python";
    if (/(\bfunction\b|=>|\bconst \w+ =|\binterface \w+|\bexport\b)/.test(sample)) return "js";
    if (/[{};]\s*$/m.test(sample)) return "code";
    return "text";
}
