/**
 * A request's sampling options, checked and with defaults applied: the one place their ranges are
 * enforced (the gRPC mapping leaves numeric ranges to this). Pure.
 */
import { defaultRepeatLastN, defaultTopK, defaultTopP } from "../config/defaults.js";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import type { Token } from "../speculative/types.js";
import type { SamplingOptions } from "./types.js";

export interface ResolvedSampling {
    temperature: number;
    topK: number;
    topP: number;
    seed: number | undefined;
    minP: number;
    /** Undefined when every penalty is off (repeat 1, presence 0, frequency 0, or a window of 0). */
    penalties: ResolvedPenalties | undefined;
    /** Undefined when the request has none. */
    logitBias: ReadonlyMap<Token, number> | undefined;
}

export interface ResolvedPenalties {
    repeat: number;
    lastN: number;
    presence: number;
    frequency: number;
}

export interface SamplingVocab {
    size: number;
    isEog: (token: Token) => boolean;
}

export function resolveSampling(s: SamplingOptions, vocab: SamplingVocab): ResolvedSampling {
    const temperature = s.temperature ?? 0;
    const topK = s.topK ?? defaultTopK;
    const topP = s.topP ?? defaultTopP;
    const minP = s.minP ?? 0;
    if (!(temperature >= 0 && temperature <= 5))
        throw new InvalidArgumentError(`temperature must be in [0, 5], got ${temperature}`);
    if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError(`top_p must be in (0, 1], got ${topP}`);
    if (!Number.isInteger(topK) || topK < 0)
        throw new InvalidArgumentError(`top_k must be a non-negative integer, got ${topK}`);
    if (!(minP >= 0 && minP <= 1)) throw new InvalidArgumentError(`min_p must be in [0, 1], got ${minP}`);
    if (s.seed !== undefined && !Number.isSafeInteger(s.seed))
        throw new InvalidArgumentError(`seed must be an integer, got ${s.seed}`);
    const repeat = s.repeatPenalty ?? 1;
    const lastN = s.repeatLastN ?? defaultRepeatLastN;
    const presence = s.presencePenalty ?? 0;
    const frequency = s.frequencyPenalty ?? 0;
    if (!(repeat > 0 && Number.isFinite(repeat)))
        throw new InvalidArgumentError(`repeat_penalty must be a positive number (1 = off), got ${repeat}`);
    if (!Number.isInteger(lastN) || lastN < 0)
        throw new InvalidArgumentError(`repeat_last_n must be a non-negative integer, got ${lastN}`);
    if (!(presence >= -2 && presence <= 2))
        throw new InvalidArgumentError(`presence_penalty must be in [-2, 2], got ${presence}`);
    if (!(frequency >= -2 && frequency <= 2))
        throw new InvalidArgumentError(`frequency_penalty must be in [-2, 2], got ${frequency}`);
    const penaltiesOn = lastN > 0 && (repeat !== 1 || presence !== 0 || frequency !== 0);
    const bias = s.logitBias;
    if (bias) {
        for (const [token, value] of bias) {
            if (!Number.isInteger(token) || token < 0 || token >= vocab.size)
                throw new InvalidArgumentError(
                    `logit_bias token id ${token} is outside the vocabulary [0, ${vocab.size})`,
                );
            if (vocab.isEog(token))
                throw new InvalidArgumentError(
                    `logit_bias token id ${token} is an end-of-generation token, which cannot be biased; use max_tokens or stop to end generation`,
                );
            if (!Number.isFinite(value))
                throw new InvalidArgumentError(`logit_bias[${token}] must be a finite number, got ${value}`);
        }
    }
    return {
        temperature,
        topK,
        topP,
        seed: s.seed,
        minP,
        penalties: penaltiesOn ? { repeat, lastN, presence, frequency } : undefined,
        logitBias: bias && bias.size > 0 ? bias : undefined,
    };
}
