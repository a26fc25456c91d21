/**
 * Reuses node-llama-cpp's native samplers across evaluation calls instead of making one per call.
 *
 * Why: node-llama-cpp 3.22 constructs a native sampler (`AddonSampler`) for every `controlledEvaluate`
 * call, and the engine makes one such call per sequence per step. The constructor sizes a candidate
 * array to the vocabulary (12 bytes a token, zeroed) and its disposal frees it again: measured on this
 * project's tiny random-weight family fixtures (2-vCPU EPYC, `scratch/samplerCost.mts`), 0.46 ms a call
 * for Qwen2.5's 151,936-token vocabulary and 0.70 ms for Llama 3's 128,256, on the JavaScript thread,
 * against 0.03 ms for the bundled pair's 4,099. With 32 streams on a GPU that is ~15 ms of one thread's
 * time per step, more than a batched decode of a 7B model takes. node-llama-cpp's own generation loop keeps
 * one sampler for a whole generation and re-applies its configuration per token; the native sampler is
 * built for that (`applyConfig` rebuilds only the parts of its chain whose settings changed, and frees
 * those a configuration leaves out), so a sampler handed from one call to the next behaves as a new one.
 *
 * How: the bindings' sampler class is replaced by one that takes a free native sampler of the same model
 * from a pool (or makes one) and whose `dispose` puts it back. On the way back it is reset: an empty
 * configuration frees its grammar, penalty, bias and top-k/p parts, and a fresh random seed replaces its
 * random stream, so the next call draws as a new sampler would (one given a seed restarts from that seed,
 * one given none draws from a random one). At most `maxPooled` wait per model; more are freed.
 * Without the internals this relies on (another node-llama-cpp version), nothing is changed.
 */
import { randomInt } from "node:crypto";
import type { Llama } from "node-llama-cpp";

/**
 * Free native samplers kept per model, at most: engine.sequences' upper bound (each sequence's calls use one
 * at a time). A pool never holds more than were in use at once, each with its candidate array (Qwen2.5:
 * 1.8 MB), so at its peak it holds what that many concurrent calls held before, no more.
 */
export const maxPooled = 256;

// Function-typed properties rather than methods: the pool calls the class's own, with `call`.
interface NativeSampler {
    dispose: (this: NativeSampler) => void;
    applyConfig: (this: NativeSampler, config: Record<string, unknown>) => void;
}
type NativeSamplerClass = (new (model: object) => NativeSampler) & { prototype: NativeSampler };
interface Bindings {
    AddonSampler?: NativeSamplerClass;
}

/** The free samplers of each native model, per bindings object (node-llama-cpp loads its addon once). */
const installed = new WeakMap<Bindings, Map<object, NativeSampler[]>>();

/**
 * Installs the pool on `llama`'s bindings (once per process: the bindings are shared) and frees the free
 * samplers when `llama` is disposed (their models go with it). Returns whether the pool is in place.
 */
export function poolSamplers(llama: Llama): boolean {
    const bindings = (llama as unknown as { _bindings?: Bindings })._bindings;
    if (!bindings) return false;
    const pools = installed.get(bindings) ?? install(bindings);
    if (!pools) return false;
    llama.onDispose.createListener(() => {
        for (const pool of pools.values()) for (const sampler of pool.splice(0)) sampler.dispose();
        pools.clear();
    });
    return true;
}

function install(bindings: Bindings): Map<object, NativeSampler[]> | undefined {
    const native = bindings.AddonSampler;
    if (typeof native !== "function") return undefined;
    const { dispose: free, applyConfig } = native.prototype;
    if (typeof free !== "function" || typeof applyConfig !== "function") return undefined;
    const pools = new Map<object, NativeSampler[]>();

    function release(sampler: NativeSampler, model: object): void {
        let pool = pools.get(model);
        if (!pool) pools.set(model, (pool = []));
        if (pool.length >= maxPooled) {
            free.call(sampler);
            return;
        }
        try {
            applyConfig.call(sampler, {});
            applyConfig.call(sampler, { seed: randomInt(2 ** 32) });
        } catch {
            free.call(sampler);
            return;
        }
        // Pooled, its dispose frees it (when the llama is disposed).
        Object.defineProperty(sampler, "dispose", { configurable: true, value: free });
        pool.push(sampler);
    }

    // A function called with `new` that returns an object yields that object: the pooled sampler.
    function PooledSampler(model: object): NativeSampler {
        const sampler = pools.get(model)?.pop() ?? new native!(model);
        let released = false;
        // An own property shadows the class's (read-only) dispose. node-llama-cpp disposes each sampler
        // once, after its last sample (under the sampler's lock); a second call must not pool it twice.
        Object.defineProperty(sampler, "dispose", {
            configurable: true,
            value: () => {
                if (released) return;
                released = true;
                release(sampler, model);
            },
        });
        return sampler;
    }
    // Static methods (grammar checks) stay reachable through the prototype chain; tests reach the native
    // class there too.
    Object.setPrototypeOf(PooledSampler, native);
    bindings.AddonSampler = PooledSampler as unknown as NativeSamplerClass;
    installed.set(bindings, pools);
    return pools;
}
