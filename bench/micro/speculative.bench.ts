/**
 * Hot-path micro-benchmarks of the pure speculative units (per call, median ns), to compare before and
 * after a change. A target pass costs milliseconds; these must stay in the microsecond range.
 *
 *   node --import tsx bench/micro/speculative.bench.ts
 */
import { createRandom } from "../../src/speculative/createRandom.js";
import { NgramIndex } from "../../src/speculative/NgramIndex.js";
import { NgramProposer } from "../../src/speculative/NgramProposer.js";
import { SpeculationController } from "../../src/speculative/SpeculationController.js";
import { SpeculationPolicy } from "../../src/speculative/SpeculationPolicy.js";
import { taskSignature } from "../../src/speculative/taskSignature.js";
import type { DraftProposer, TokenDistribution } from "../../src/speculative/types.js";
import { positionDraws } from "../../src/speculative/positionDraws.js";
import { verifyGreedy } from "../../src/speculative/verifyGreedy.js";
import { verifyPositional } from "../../src/speculative/verifyPositional.js";
import { verifyStochastic } from "../../src/speculative/verifyStochastic.js";
import { measure } from "./measure.js";

export function runSpeculativeMicro(): Record<string, number> {
    const random = createRandom(1);
    const draws = positionDraws(1);
    let position = 0;
    const draft = [5, 6, 7, 8, 9, 10, 11, 12];
    const target = [5, 6, 7, 8, 9, 10, 11, 12, 13];
    const dist = (top: number): TokenDistribution => {
        const tokens = Array.from({ length: 40 }, (_, i) => (i === 0 ? top : 1000 + i));
        const probs = tokens.map((_, i) => (i === 0 ? 0.6 : 0.4 / 39));
        return { tokens, probs };
    };
    const dists = [...draft.map(dist), dist(13)];
    const history = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 4096);
    const index = new NgramIndex({ minN: 2, maxN: 4 });
    index.append(history);
    let next = 0;
    const policy = new SpeculationPolicy(random);
    const candidates = [
        { id: "draft", costPerCall: false },
        { id: "ngram", costPerCall: true },
    ];
    return {
        "AUTO plain step (next + record; model + n-gram)": autoPlainStep(),
        "verifyGreedy k=8": measure(() => verifyGreedy(draft, target)),
        "verifyStochastic k=8, 40-token dists": measure(() =>
            verifyStochastic(draft, undefined, dists, random),
        ),
        // The verifier at temperature > 0 (every drafter here drafts deterministically): the draft is each
        // position's likeliest token, kept with probability 0.6.
        "verifyPositional k=8, 40-token dists": measure(() =>
            verifyPositional(draft, dists, draws, (position += 9)),
        ),
        "NgramIndex append 1 + lookup 8": measure(() => {
            index.append([next++ % 4096]);
            return index.lookup(8);
        }),
        "SpeculationPolicy.choose (2 drafters)": measure(() => policy.choose(candidates, "js|rep-low", 8)),
        // What each of 32 streams does per step under load: record its share of the shared pass (which
        // clears the curve's cache), then size its draft beside the other 31 tokens.
        "record a shared pass + k beside 31 tokens": measure(() => {
            policy.costs.recordVerify(32, 14, 1 / 32);
            return policy.evaluate(candidates[0]!, 0.8, 8, 31);
        }),
        "taskSignature (2000 tokens)": measure(() => taskSignature(history, "def f(x):\n    return x\n", 0)),
    };
}

/**
 * What AUTO adds to every plain step when it chooses no drafter (the engine's plain pass itself excluded):
 * scoring n-gram counterfactually, recording the pass, considering a switch. On a fast CPU a pass of the
 * bundled target is ~0.8 ms, so tens of µs here are a few per cent of throughput.
 */
function autoPlainStep(): number {
    const policy = new SpeculationPolicy(createRandom(3));
    for (let n = 1; n <= 9; n++) for (let i = 0; i < 5; i++) policy.costs.recordVerify(n, 0.8 + 0.4 * n);
    policy.costs.recordDraft("draft", 4, 8, false);
    for (let i = 0; i < 200; i++) {
        policy.acceptance.record("draft", "js|rep-low", 4, i % 5, false);
        policy.acceptance.record("ngram", "js|rep-low", 3, i % 3 === 0 ? 3 : 0, i % 6 === 0);
    }
    const model: DraftProposer = {
        id: "draft",
        begin() {},
        propose: () => Promise.resolve({ tokens: [] }),
        release() {},
    };
    // A history with few repeats: n-gram proposes now and then, its proposals mostly fail.
    const history = Array.from({ length: 600 }, (_, i) => (i * 7919 + (i % 13)) % 512);
    const controller = new SpeculationController(policy, {
        drafters: [
            { candidate: { id: "draft", costPerCall: false }, proposer: model },
            {
                candidate: { id: "ngram", costPerCall: true },
                proposer: new NgramProposer({ minN: 2, maxN: 4 }),
            },
        ],
        signature: "js|rep-low",
        maxK: 8,
        adaptive: true,
        minConfidence: 0.3,
    });
    // Plain decoding from the start (the choice above is a Thompson sample; the step is what is timed).
    let generated = 0;
    return measure(() => {
        const token = (generated * 31 + 7) % 512;
        history.push(token);
        if (history.length > 4000) history.length = 600;
        controller.next(history, 8);
        controller.record({
            drafter: undefined,
            drafted: 0,
            accepted: 0,
            confidences: undefined,
            committed: [token],
            draftMs: 0,
            verifyMs: 0.8 + (generated % 7) * 0.01,
            stepMs: 0.85,
            passTokens: 1,
            passRequests: 1,
            generated: ++generated,
        });
    });
}

if (import.meta.filename === process.argv[1]) {
    for (const [name, ns] of Object.entries(runSpeculativeMicro()))
        console.log(`${name.padEnd(44)} ${ns.toFixed(0).padStart(8)} ns`);
}
