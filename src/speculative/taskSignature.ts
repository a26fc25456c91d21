/**
 * A coarse task signature of a request, under which acceptance is learned separately: the kind of
 * text (language cues), how repetitive the context is (the share of 4-grams that occurred before),
 * which is what decides whether prompt lookup can work, and how it samples. Pure and O(prompt length).
 *
 * Sampling: a draft token is kept with the target's probability of it at temperature > 0, its argmax
 * agreeing at 0, so acceptance falls with temperature (quick bench, bundled pair: n-gram k = 2 0.58 →
 * 0.20 on completion from temperature 0 to 1, the draft model at k = 1 0.87 → 0.58). Learned together,
 * a server with greedy and sampled traffic (an editor's greedy completions beside a chat client's sampled
 * turns) would draft by a blend wrong for both.
 */
const window = 4;

export function taskSignature(tokens: readonly number[], text: string, temperature: number): string {
    return `${language(text)}|${repetitionBucket(repetition(tokens))}|${samplingBucket(temperature)}`;
}

/** Greedy, cool (sampling close to the argmax) or warm. */
function samplingBucket(temperature: number): string {
    return temperature <= 0 ? "greedy" : temperature <= 0.5 ? "cool" : "warm";
}

/** Share of token 4-grams that already occurred earlier in the sequence, in [0, 1]. */
export function repetition(tokens: readonly number[]): number {
    if (tokens.length <= window) return 0;
    // 4-grams hashed to 32-bit ints: a rare collision only nudges a heuristic, and a Set of numbers
    // is ~20× faster than one of strings (measured in bench/micro/speculative.bench.ts).
    const seen = new Set<number>();
    let repeats = 0;
    for (let i = 0; i + window <= tokens.length; i++) {
        let h = 0x811c9dc5;
        for (let j = 0; j < window; j++) h = Math.imul(h ^ tokens[i + j]!, 0x01000193);
        if (seen.has(h)) repeats++;
        else seen.add(h);
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
