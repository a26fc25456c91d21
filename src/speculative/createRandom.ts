/**
 * A small seeded PRNG for reproducible sampling: `createRandom(seed)` returns a function yielding
 * floats in `[0, 1)` with 2^-32 resolution.
 *
 * Generator: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/), 128-bit state, period
 * 2^128 - 1, 32-bit output, only `Math.imul`/shifts on the hot path. Its four state words are filled
 * from two outputs of splitmix64 run on the 64-bit seed, the seeding procedure the authors recommend
 * (it spreads nearby seeds such as 1, 2, 3 over unrelated states and never yields an all-zero state
 * in practice; the zero state is guarded anyway).
 *
 * `seed`: a safe integer or a bigint (taken mod 2^64); `undefined` seeds from `node:crypto`.
 * Not cryptographically secure; do not use it for anything but sampling.
 */
import { randomBytes } from "node:crypto";

const mask64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function splitmix64(state: bigint): [next: bigint, output: bigint] {
    const next = mask64(state + 0x9e3779b97f4a7c15n);
    let z = next;
    z = mask64((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = mask64((z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return [next, z ^ (z >> 31n)];
}

export function createRandom(seed: number | bigint | undefined): () => number {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
        throw new RangeError(`createRandom: seed must be a safe integer or a bigint, got ${seed}`);
    }
    const seed64 = seed === undefined ? randomBytes(8).readBigUInt64LE() : mask64(BigInt(seed));
    const [state, a] = splitmix64(seed64);
    const [, b] = splitmix64(state);
    let s0 = Number(a & 0xffffffffn) | 0;
    let s1 = Number(a >> 32n) | 0;
    let s2 = Number(b & 0xffffffffn) | 0;
    let s3 = Number(b >> 32n) | 0;
    if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

    return () => {
        const x = Math.imul(s1, 5);
        const result = Math.imul((x << 7) | (x >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        return (result >>> 0) / 4294967296;
    };
}
