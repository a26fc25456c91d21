/**
 * Plain constrained decoding outside the engine, for tests to check the engine's constrained choices
 * against: the target's full probability map at every position (no listing, no speculation), one token
 * per pass, the grammar's mask applied by constrainedChoice.ts as plain decoding applies it.
 */
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import { constrainedArgmax, constrainedDistribution } from "../../src/engine/constrainedChoice.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { ResponseGrammars } from "../../src/engine/ResponseGrammars.js";
import { TokenGrammar } from "../../src/engine/TokenGrammar.js";
import type { ResponseFormat } from "../../src/engine/types.js";
import type { Token } from "../../src/speculative/types.js";

const fullMap = { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } as const;

/** A sequence of its own holding `prompt` but its last token, and `format`'s grammar at its start. */
async function withSequence<T>(
    engine: LocalEngine,
    format: ResponseFormat,
    prompt: string,
    use: (sequence: LlamaContextSequence, grammar: TokenGrammar, last: Token) => Promise<T>,
): Promise<T> {
    const model = engine.target.model;
    const grammar = TokenGrammar.start(
        engine.llama,
        model,
        await new ResponseGrammars(engine.llama).get(format),
    );
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    try {
        const sequence = context.getSequence();
        const tokens = engine.tokenize(prompt) as LlamaToken[];
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
        return await use(sequence, grammar, tokens[tokens.length - 1]!);
    } finally {
        await context.dispose();
    }
}

/** Plain constrained greedy decoding: up to `maxTokens` tokens, the end-of-generation token left out. */
export function referenceGreedy(
    engine: LocalEngine,
    format: ResponseFormat,
    prompt: string,
    maxTokens: number,
): Promise<Token[]> {
    return withSequence(engine, format, prompt, async (sequence, grammar, first) => {
        const out: Token[] = [];
        let last = first;
        while (out.length < maxTokens) {
            const [result] = await sequence.controlledEvaluate([
                [last as LlamaToken, { generateNext: fullMap }],
            ]);
            const token = constrainedArgmax(result!.next.probabilities!, (t) => grammar.allows(t))!;
            if (engine.target.model.isEogToken(token as LlamaToken)) break;
            grammar.accept(token);
            out.push(token);
            last = token;
        }
        return out;
    });
}

/**
 * The constrained sampling distribution of the first `depth` output tokens: each cell is the
 * comma-joined tokens, its probability the product of each position's constrained probability given the
 * ones before (a cell ends early at an end-of-generation token, which outputs leave out).
 */
export function referenceJoint(
    engine: LocalEngine,
    format: ResponseFormat,
    prompt: string,
    sampling: { temperature: number; topK: number; topP: number; minP: number },
    depth: number,
): Promise<Map<string, number>> {
    return withSequence(engine, format, prompt, async (sequence, grammar, first) => {
        const joint = new Map<string, number>();
        const walk = async (state: TokenGrammar, last: Token, prefix: Token[], p: number): Promise<void> => {
            const start = sequence.nextTokenIndex;
            const [result] = await sequence.controlledEvaluate([
                [last as LlamaToken, { generateNext: fullMap }],
            ]);
            const dist = constrainedDistribution(
                result!.next.probabilities!,
                (t) => state.allows(t),
                sampling,
            )!;
            for (const [i, token] of dist.tokens.entries()) {
                const q = p * dist.probs[i]!;
                const end = engine.target.model.isEogToken(token as LlamaToken);
                if (end || prefix.length + 1 === depth) {
                    const cell = (end ? prefix : [...prefix, token]).join(",");
                    joint.set(cell, (joint.get(cell) ?? 0) + q);
                    continue;
                }
                const next = state.clone();
                next.accept(token);
                await walk(next, token, [...prefix, token], q);
            }
            await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
        };
        await walk(grammar, first, [], 1);
        return joint;
    });
}
