/**
 * One native sampler lease as node-llama-cpp makes it for every sampled position (not a test): the
 * bindings' sampler class constructed for the model, configured with the configuration node-llama-cpp
 * resolves for a call (greedy or temperature 0.8; its seed is the current second when the request gives
 * none), then disposed, through the engine's pool (src/engine/poolSamplers.ts), on the bundled target.
 * Prints µs per lease, greedy and sampled; run it on two commits to compare (the machine is shared). What a
 * new sampler per call costs against the pool is `npm run bench:samplers`' figure, served end to end: in a
 * hot loop it would mostly measure the garbage collection of 10⁵ native wrappers.
 *
 *   node --import tsx bench/micro/samplerLease.bench.ts
 */
import { cpus, loadavg } from "node:os";
import { getLlama } from "node-llama-cpp";
import { poolSamplers } from "../../src/engine/poolSamplers.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { measure } from "./measure.js";

interface NativeSampler {
    applyConfig(config: Record<string, unknown>): void;
    dispose(): void;
}
type NativeSamplerClass = new (model: object) => NativeSampler;

const llama = await getLlama({ gpu: false });
try {
    if (!poolSamplers(llama)) throw new Error("this node-llama-cpp has no AddonSampler to pool");
    const model = await llama.loadModel({ modelPath: bundledModelPath("target") });
    const bindings = (llama as unknown as { _bindings: { AddonSampler: NativeSamplerClass } })._bindings;
    const nativeModel = (model as unknown as { _model: object })._model;
    // What node-llama-cpp's _resolveSamplerConfig passes for a call without sampling options but temperature.
    const config = (temperature: number) => ({
        temperature,
        minP: 0,
        topK: 40,
        topP: 0.95,
        seed: Math.floor(Date.now() / 1000),
        repeatPenaltyMaxTokens: 64,
        dryRepeatPenaltyBase: 1.75,
        dryRepeatPenaltyAllowedLength: 2,
        dryRepeatPenaltyLastTokens: -1,
    });
    console.log(
        `# A pooled sampler lease per sampled position (${cpus()[0]?.model ?? "unknown CPU"}, load ${loadavg()[0]!.toFixed(1)})\n`,
    );
    for (const temperature of [0, 0.8]) {
        const settings = config(temperature);
        const us =
            measure(() => {
                const sampler = new bindings.AddonSampler(nativeModel);
                sampler.applyConfig(settings);
                sampler.dispose();
            }, 400) / 1000;
        console.log(
            `${temperature === 0 ? "greedy" : `temperature ${temperature}`}: ${us.toFixed(2)} µs a lease`,
        );
    }
} finally {
    await llama.dispose();
}
