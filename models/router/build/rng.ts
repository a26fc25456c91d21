/** A seeded random source (mulberry32): the dataset, the weight init and the shuffles are deterministic. */
export interface Rng {
    /** Uniform in [0, 1). */
    next(): number;
    /** Integer in [0, n). */
    int(n: number): number;
    /** One element of a non-empty list. */
    pick<T>(items: readonly T[]): T;
    /** Standard normal (Box–Muller). */
    normal(): number;
    /** True with probability p. */
    chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
    let state = seed >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const int = (n: number): number => Math.floor(next() * n);
    return {
        next,
        int,
        pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
        normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
        chance: (p) => next() < p,
    };
}
