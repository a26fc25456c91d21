/**
 * The in-TypeScript peer on the same GGUFs and prompts: node-llama-cpp's own token predictors
 * (DraftSequenceTokenPredictor with the bundled draft, InputLookupTokenPredictor) and its plain
 * evaluate loop, greedy — decode tokens/s and validated/refuted predictions. Exported so the bench
 * runner can put them next to tiercel's systems.
 */
import {
    DraftSequenceTokenPredictor,
    getLlama,
    InputLookupTokenPredictor,
    type LlamaContextSequence,
    type LlamaModel,
    type Token,
    type TokenPredictor,
} from "node-llama-cpp";
import { benchGpu } from "../benchGpu.js";
import { benchThreads } from "../threads.js";

export interface BaselineResult {
    system: string;
    tokens: number;
    decodeSeconds: number;
    validated: number;
    refuted: number;
}

export async function runNlcBaselines(
    targetPath: string,
    draftPath: string,
    prompts: readonly string[],
    maxTokens: number,
    draftTokens = 4,
): Promise<BaselineResult[]> {
    const llama = await getLlama({ gpu: benchGpu, build: "never" });
    const threads = benchThreads;
    const target = await llama.loadModel({ modelPath: targetPath });
    const draft = await llama.loadModel({ modelPath: draftPath });
    const results: BaselineResult[] = [];
    try {
        const systems: [string, (draftSeq: LlamaContextSequence) => TokenPredictor | undefined][] = [
            ["nlc plain", () => undefined],
            // Its defaults (minTokens 0, minConfidence 0.6) draft opportunistically: the target never
            // waits for the draft, so on a CPU where both share the cores few predictions are ready in
            // time. The second entry waits for k drafted tokens, as tiercel's fixed-k systems do.
            [
                `nlc DraftSequenceTokenPredictor k=${draftTokens} (defaults)`,
                (d) =>
                    new DraftSequenceTokenPredictor(d, {
                        maxTokens: draftTokens,
                        evaluateOptions: { temperature: 0 },
                    }),
            ],
            [
                `nlc DraftSequenceTokenPredictor k=${draftTokens} (minTokens=k, minConfidence=0)`,
                (d) =>
                    new DraftSequenceTokenPredictor(d, {
                        minTokens: draftTokens,
                        maxTokens: draftTokens,
                        minConfidence: 0,
                        evaluateOptions: { temperature: 0 },
                    }),
            ],
            ["nlc InputLookupTokenPredictor", () => new InputLookupTokenPredictor()],
        ];
        for (const [system, makePredictor] of systems) {
            const draftContext = await draft.createContext({ contextSize: 1024, threads });
            const context = await target.createContext({ contextSize: 1024, threads });
            const predictor = makePredictor(draftContext.getSequence());
            const sequence = context.getSequence({ tokenPredictor: predictor });
            const r: BaselineResult = { system, tokens: 0, decodeSeconds: 0, validated: 0, refuted: 0 };
            for (const prompt of prompts) {
                await sequence.clearHistory();
                const tokens = target.tokenize(prompt, true);
                // The lookup predictor searches only the input it is given (not generated tokens).
                predictor?.updateInputTokens(tokens);
                const stats = await decode(target, sequence, tokens, maxTokens);
                r.tokens += stats.tokens;
                r.decodeSeconds += stats.seconds;
            }
            r.validated = sequence.tokenPredictions.validated;
            r.refuted = sequence.tokenPredictions.refuted;
            results.push(r);
            await context.dispose();
            await draftContext.dispose();
        }
    } finally {
        await target.dispose();
        await draft.dispose();
    }
    return results;
}

/**
 * Greedy decode; decode time counts from the first token (as tiercel's stats do). node-llama-cpp's
 * evaluate ends without yielding when the first greedy token is end-of-generation: such a prompt adds
 * no tokens and no time.
 */
async function decode(
    model: LlamaModel,
    sequence: LlamaContextSequence,
    input: Token[],
    maxTokens: number,
): Promise<{ tokens: number; seconds: number }> {
    let first = 0;
    let n = 0;
    for await (const token of sequence.evaluate(input, { temperature: 0 })) {
        if (n === 0) first = performance.now();
        n++;
        if (model.isEogToken(token) || n >= maxTokens) break;
    }
    if (n === 0) return { tokens: 0, seconds: 0 };
    return { tokens: n - 1, seconds: (performance.now() - first) / 1000 };
}
