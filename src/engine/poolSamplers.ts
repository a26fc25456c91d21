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
 * from a pool (or makes one) and whose `dispose` puts it back. A pooled sampler must answer the next call as
 * a new one would. node-llama-cpp passes a seed with every configuration (the request's, or the current
 * second), and the native sampler restarts its random stream only when that seed differs from its own. So a
 * sampler whose stream advanced while leased (a temperature above 0 draws from it, XTC too) gets a fresh
 * random seed on the way back, which also frees its grammar, penalty, bias and top-k/p parts (a
 * configuration frees what it leaves out): the next call's seed then differs and its stream restarts from
 * it, as a new sampler's would. A greedy lease leaves the stream untouched, so the sampler already is what
 * a new one seeded alike would be: it only frees the parts it holds (grammar, penalties, bias), or nothing.
 * Reseeding after every call had cost each greedy token two re-initialisations of the random stream (the
 * reseed, then node-llama-cpp's seed for the next call), which no greedy call uses. At most `maxPooled`
 * wait per model; more are freed. Without the internals this relies on (another node-llama-cpp version),
 * nothing is changed.
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

/**
 * Per bindings object (node-llama-cpp loads its addon once): the free samplers of each native model, and
 * the native class's own dispose, which frees a sampler for good.
 */
interface Installed {
    pools: Map<object, NativeSampler[]>;
    free: (this: NativeSampler) => void;
}
const installed = new WeakMap<Bindings, Installed>();

/** A pooled native sampler's state: its model, whether it is in use, and what its current lease asked for. */
interface Lease {
    readonly model: object;
    leased: boolean;
    /** A configuration drew from the random stream (temperature above 0, or XTC): reseed on release. */
    drew: boolean;
    /** A configuration set parts a free sampler should not keep (grammar, penalties, DRY, bias). */
    holdsParts: boolean;
}
const leases = new WeakMap<NativeSampler, Lease>();

/**
 * Installs the pool on `llama`'s bindings (once per process: the bindings are shared) and frees the free
 * samplers when `llama` is disposed (their models go with it). Returns whether the pool is in place.
 */
export function poolSamplers(llama: Llama): boolean {
    const bindings = (llama as unknown as { _bindings?: Bindings })._bindings;
    if (!bindings) return false;
    const found = installed.get(bindings) ?? install(bindings);
    if (!found) return false;
    const { pools, free } = found;
    llama.onDispose.createListener(() => {
        for (const pool of pools.values()) for (const sampler of pool.splice(0)) free.call(sampler);
        pools.clear();
    });
    return true;
}

function install(bindings: Bindings): Installed | undefined {
    const native = bindings.AddonSampler;
    if (typeof native !== "function") return undefined;
    const { dispose: free, applyConfig } = native.prototype;
    if (typeof free !== "function" || typeof applyConfig !== "function") return undefined;
    const pools = new Map<object, NativeSampler[]>();

    function release(sampler: NativeSampler, lease: Lease): void {
        let pool = pools.get(lease.model);
        if (!pool) pools.set(lease.model, (pool = []));
        if (pool.length >= maxPooled) {
            free.call(sampler);
            return;
        }
        try {
            if (lease.drew) applyConfig.call(sampler, { seed: randomInt(2 ** 32) });
            else if (lease.holdsParts) applyConfig.call(sampler, {});
        } catch {
            free.call(sampler);
            return;
        }
        lease.drew = false;
        lease.holdsParts = false;
        pool.push(sampler);
    }

    /**
     * A native sampler made for the pool: its own `dispose` (an own property shadows the class's read-only
     * one) returns it to the pool, its own `applyConfig` notes what the lease asked for; both are made once
     * per native sampler, not per call.
     */
    function pooled(model: object): NativeSampler {
        const sampler = new native!(model);
        const lease: Lease = { model, leased: true, drew: false, holdsParts: false };
        leases.set(sampler, lease);
        Object.defineProperty(sampler, "applyConfig", {
            configurable: true,
            value: (config: Record<string, unknown>) => {
                if (
                    !lease.drew &&
                    ((config.temperature as number) > 0 || config.xtcProbability !== undefined)
                )
                    lease.drew = true;
                if (
                    config.grammarEvaluationState !== undefined ||
                    config.tokenBiasKeys !== undefined ||
                    config.repeatPenaltyTokens !== undefined ||
                    config.dryRepeatPenaltyStrength !== undefined
                )
                    lease.holdsParts = true;
                applyConfig.call(sampler, config);
            },
        });
        // node-llama-cpp disposes each sampler once, after its last sample (under the sampler's lock); a
        // second call must not pool it twice.
        Object.defineProperty(sampler, "dispose", {
            configurable: true,
            value: () => {
                if (!lease.leased) return;
                lease.leased = false;
                release(sampler, lease);
            },
        });
        return sampler;
    }

    // A function called with `new` that returns an object yields that object: the pooled sampler.
    function PooledSampler(model: object): NativeSampler {
        const sampler = pools.get(model)?.pop();
        if (!sampler) return pooled(model);
        leases.get(sampler)!.leased = true;
        return sampler;
    }
    // Static methods (grammar checks) stay reachable through the prototype chain; tests reach the native
    // class there too.
    Object.setPrototypeOf(PooledSampler, native);
    bindings.AddonSampler = PooledSampler as unknown as NativeSamplerClass;
    const done: Installed = { pools, free };
    installed.set(bindings, done);
    return done;
}
