/**
 * Pooled native samplers (poolSamplers.ts): a disposed sampler serves the next call of its model, and the
 * engine's answers with pooled samplers are the answers it gives with a new sampler per call: greedy,
 * penalties, logit bias, seeded sampling, a JSON grammar and a draft model, on the Qwen2.5 family fixture
 * (its real 151,936-token vocabulary: where a new sampler per call costs most). Prefix reuse is off so
 * every request is evaluated by the same passes (llama.cpp's CPU kernels are not batch-invariant).
 */
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { beforeAll, expect, it } from "vitest";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { poolSamplers } from "../../src/engine/poolSamplers.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { bundledModelPath } from "../helpers/bundledModels.js";
import { collect } from "../helpers/fixtureEngine.js";

interface NativeSampler {
    dispose: () => void;
}
type NativeSamplerClass = new (model: object) => NativeSampler;
const bindingsOf = (llama: Llama) =>
    (llama as unknown as { _bindings: { AddonSampler: NativeSamplerClass } })._bindings;
const nativeModel = (model: LlamaModel) => (model as unknown as { _model: object })._model;

let paths: Awaited<ReturnType<typeof ensureFamilyFixtures>>;
beforeAll(async () => {
    paths = await ensureFamilyFixtures();
}, 600_000);

it("hands a disposed sampler to the next call of the same model, never one in use or another model's", async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    try {
        expect(poolSamplers(llama)).toBe(true);
        expect(poolSamplers(llama)).toBe(true); // once: not wrapped twice
        const [qwen, llama3] = await Promise.all([
            llama.loadModel({ modelPath: paths.qwen25coder.target }),
            llama.loadModel({ modelPath: paths.llama3.target }),
        ]);
        const { AddonSampler } = bindingsOf(llama);
        const a = new AddonSampler(nativeModel(qwen));
        const b = new AddonSampler(nativeModel(qwen));
        expect(b).not.toBe(a);
        a.dispose();
        a.dispose(); // node-llama-cpp disposes once; a second call must not pool it twice
        expect(new AddonSampler(nativeModel(llama3))).not.toBe(a);
        const c = new AddonSampler(nativeModel(qwen));
        expect(c).toBe(a);
        expect(new AddonSampler(nativeModel(qwen))).not.toBe(a);
    } finally {
        await llama.dispose();
    }
});

it("answers as with a new sampler per call, in every sampling mode", async () => {
    const family = paths.qwen25coder;
    const engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "target", path: family.target },
                drafts: [{ id: "draft", path: family.draft }],
            },
            engine: { contextSize: 512, sequences: 2, gpu: false, threads: 1, prefixReuse: false },
            speculation: { stateFile: null, minDraftConfidence: 0 },
        }),
        "/",
    );
    const prompt = "def parse_config(path):\n    with open(path) as f:\n";
    const requests: GenerateRequest[] = [
        { prompt, maxTokens: 16, speculation: { mode: "off" } },
        {
            prompt,
            maxTokens: 16,
            sampling: { repeatPenalty: 1.3, presencePenalty: 0.5, frequencyPenalty: 0.4 },
            speculation: { mode: "off" },
        },
        {
            prompt,
            maxTokens: 16,
            sampling: { logitBias: new Map([[220, -100]]) },
            speculation: { mode: "off" },
        },
        {
            prompt,
            maxTokens: 16,
            sampling: { temperature: 0.8, topK: 40, topP: 0.9, seed: 7 },
            speculation: { mode: "off" },
        },
        { prompt, maxTokens: 16, responseFormat: { type: "json_object" }, speculation: { mode: "off" } },
        {
            prompt,
            maxTokens: 16,
            speculation: { mode: "draft_model", draftModel: "draft", maxDraftTokens: 3 },
        },
        {
            prompt,
            maxTokens: 16,
            sampling: { temperature: 0.7, seed: 11 },
            speculation: { mode: "draft_model", draftModel: "draft", maxDraftTokens: 3 },
        },
    ];
    // Two at a time, as sequences share passes: samplers come and go between the two.
    const answers = async () => {
        const out: number[][] = [];
        for (let i = 0; i < requests.length; i += 2)
            out.push(
                ...(await Promise.all(
                    requests.slice(i, i + 2).map(async (r) => (await collect(engine, r)).tokens),
                )),
            );
        return out;
    };
    const bindings = bindingsOf(engine.target.model.llama);
    const pooled = bindings.AddonSampler;
    try {
        const withPool = await answers();
        const again = await answers(); // from samplers that served other requests' configurations
        bindings.AddonSampler = Object.getPrototypeOf(pooled) as NativeSamplerClass;
        const fresh = await answers();
        expect(withPool).toEqual(fresh);
        expect(again).toEqual(fresh);
        expect(fresh.every((tokens) => tokens.length > 0)).toBe(true);
    } finally {
        bindings.AddonSampler = pooled;
        await engine.dispose();
    }
});

it("a pooled sampler draws as a new one: a seeded sample restarts from its seed every call", async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    try {
        poolSamplers(llama);
        const model = await llama.loadModel({ modelPath: paths.qwen25coder.target });
        const sequence = (await model.createContext({ contextSize: 128, threads: 1 })).getSequence();
        const prompt = model.tokenize("def main():\n");
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        const draw = async () => {
            const [out] = await sequence.controlledEvaluate([
                [prompt.at(-1)!, { generateNext: { token: true, options: { temperature: 1.5, seed: 5 } } }],
            ]);
            await sequence.eraseContextTokenRanges([{ start: prompt.length - 1, end: prompt.length }]);
            return out?.next.token;
        };
        const draws = [];
        for (let i = 0; i < 6; i++) draws.push(await draw());
        expect(new Set(draws).size).toBe(1);
    } finally {
        await llama.dispose();
    }
});

it("draws as new samplers do whatever the lease before drew: greedy, seeded, XTC, penalties, in runs", async () => {
    // The bundled target (trained: peaked distributions, so XTC and temperature change what is drawn).
    const llama = await getLlama({ gpu: false, build: "never" });
    try {
        poolSamplers(llama);
        const model = await llama.loadModel({ modelPath: bundledModelPath("target") });
        const sequence = (await model.createContext({ contextSize: 256, threads: 1 })).getSequence();
        const prompt = model.tokenize("def load(path):\n    with open(path) as f:\n");
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        type Options = NonNullable<NonNullable<Parameters<typeof sequence.controlledEvaluate>[0][number]>>;
        const draw = async (options: object) => {
            const item = [prompt.at(-1)!, { generateNext: { token: true, options } }] as unknown as Options;
            const [out] = await sequence.controlledEvaluate([item]);
            await sequence.eraseContextTokenRanges([{ start: prompt.length - 1, end: prompt.length }]);
            return out?.next.token;
        };
        // Runs of the same call: a sampler whose stream went on from the last call (not restarted from the
        // seed it was given again) would draw differently from a new one.
        const xtc = { temperature: 0, xtc: { probability: 0.5, threshold: 0.05 }, seed: 9 };
        const runs: [object, number][] = [
            [{ temperature: 1.5, seed: 5 }, 3],
            [{ temperature: 0 }, 2],
            [xtc, 4],
            [{ temperature: 0, repeatPenalty: { penalty: 1.5, punishTokens: () => prompt.slice(-8) } }, 2],
            [{ temperature: 0.9, topK: 5, seed: 3 }, 3],
            [{ temperature: 0 }, 1],
            [{ temperature: 1.5, seed: 5 }, 2],
        ];
        const calls = runs.flatMap(([options, times]) => Array<object>(times).fill(options));
        const all = async () => {
            const out = [];
            for (let round = 0; round < 3; round++) for (const c of calls) out.push(await draw(c));
            return out;
        };
        const bindings = bindingsOf(llama);
        const pooled = bindings.AddonSampler;
        const withPool = await all();
        bindings.AddonSampler = Object.getPrototypeOf(pooled) as NativeSamplerClass;
        try {
            expect(withPool).toEqual(await all());
        } finally {
            bindings.AddonSampler = pooled;
        }
    } finally {
        await llama.dispose();
    }
});
