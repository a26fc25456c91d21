/**
 * Counter-based draws for sampling: `positionDraws(seed)` returns `drawAt(position)`, a float in `[0, 1)`
 * with 2^-32 resolution that depends only on the seed and the output position. A sequential generator
 * (createRandom.ts) hands out its numbers in the order they are asked for, so how many a step consumed
 * (one per examined draft position, one more for a residual) decided every later token; a draw keyed by
 * position makes a seeded request's sample independent of how it was decoded (verifyPositional.ts).
 *
 * Contract:
 * - Deterministic: the same seed and position give the same number, in any order and any number of times.
 * - For a fixed seed the numbers at positions 0, 1, 2, ... pass as independent uniforms (chi-square and
 *   serial-pair tests in test/unit/speculative/positionDraws.test.ts); different seeds give unrelated
 *   sequences. Positions are integers in [0, 2^32).
 * - `seed`: a safe integer or a bigint (taken mod 2^64); `undefined` seeds from `node:crypto`.
 *
 * Construction: the 64-bit seed is spread into two 32-bit keys by splitmix64 (as createRandom does); a
 * position is hashed by two rounds of a 32-bit bijective mixer (xor-shift-multiply, "lowbias32" constants
 * from Wellons' hash-prospector search), each round keyed by one key. A keyed bijection of the counter is
 * what counter-based generators (Philox, Threefry; Salmon et al. 2011) do with more rounds; two rounds of
 * a full-avalanche mixer is enough for sampling, which needs uniform, unrelated draws and nothing secret.
 * Hot path: `Math.imul` and shifts, no allocation. Not cryptographically secure.
 */
import { randomBytes } from "node:crypto";

/** A draw in [0, 1) keyed by an output position. */
export type PositionDraws = (position: number) => number;

const mask64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export function positionDraws(seed: number | bigint | undefined): PositionDraws {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
        throw new RangeError(`positionDraws: seed must be a safe integer or a bigint, got ${seed}`);
    }
    const seed64 = seed === undefined ? randomBytes(8).readBigUInt64LE() : mask64(BigInt(seed));
    // splitmix64's first output: nearby seeds (1, 2, 3) give unrelated keys.
    let z = mask64(seed64 + 0x9e3779b97f4a7c15n);
    z = mask64((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = mask64((z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    const k0 = Number(z & 0xffffffffn) | 0;
    const k1 = Number(z >> 32n) | 0;
    return (position) => (mix32(mix32(position ^ k0) ^ k1) >>> 0) / 4294967296;
}

/** A bijection of 32-bit integers with full avalanche (lowbias32). */
function mix32(x: number): number {
    x ^= x >>> 16;
    x = Math.imul(x, 0x21f0aaad);
    x ^= x >>> 15;
    x = Math.imul(x, 0x735a2d97);
    x ^= x >>> 15;
    return x;
}
