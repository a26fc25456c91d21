/**
 * JSON mutation for fuzz tests (fast-check drives the choices): a document with values anywhere in it
 * replaced by JSON of another kind, or removed, the way a careless client or a non-conforming upstream
 * writes it.
 */
import fc from "fast-check";

/** Values of every JSON kind, including text no HTTP header can carry. */
export const weirdJson: readonly unknown[] = [
    null,
    0,
    -1,
    1e308,
    "",
    "x",
    "t\u0000\u5e03\n",
    true,
    [],
    {},
    [null],
    { a: 1 },
    2 ** 53,
];

/** One mutation: which path (modulo the number of paths) and what goes there (-1: removed). */
export type JsonMutation = readonly [at: number, kind: number];

/** One to `max` mutations. */
export const jsonMutations = (max = 3): fc.Arbitrary<JsonMutation[]> =>
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: weirdJson.length - 1 })), {
        minLength: 1,
        maxLength: max,
    });

/** Every path to a value inside `value` (the root excluded). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
    if (prefix.length > 0) out.push(prefix);
    if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
    else if (typeof value === "object" && value !== null)
        for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    return out;
}

/** A copy of `value` with the mutations applied in order. */
export function mutateJson<T>(value: T, mutations: readonly JsonMutation[]): T {
    const copy = structuredClone(value);
    for (const [at, kind] of mutations) {
        const all = paths(copy);
        if (all.length === 0) break;
        const path = all[at % all.length]!;
        let node = copy as Record<string | number, unknown>;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        const last = path.at(-1)!;
        if (kind < 0 && !Array.isArray(node)) Reflect.deleteProperty(node, last);
        // A copy: the document may be frozen or changed by whatever reads it, and the next run reuses the value.
        else node[last] = structuredClone(weirdJson[Math.max(0, kind)]);
    }
    return copy;
}
