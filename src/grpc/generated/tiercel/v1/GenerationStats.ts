// Original file: proto/tiercel/v1/inference.proto

import type { SpeculationMode as _tiercel_v1_SpeculationMode, SpeculationMode__Output as _tiercel_v1_SpeculationMode__Output } from '../../tiercel/v1/SpeculationMode.js';
import type { DrafterSwitch as _tiercel_v1_DrafterSwitch, DrafterSwitch__Output as _tiercel_v1_DrafterSwitch__Output } from '../../tiercel/v1/DrafterSwitch.js';

/**
 * How one request was generated: speculative decoding counters and timings. Counters follow vLLM and
 * llama.cpp: acceptance_rate = accepted_tokens / drafted_tokens and
 * mean_acceptance_length = 1 + accepted_tokens / drafts.
 */
export interface GenerationStats {
  /**
   * Which drafter started: "none" (plain decoding), "ngram", "suffix", or a draft model id.
   */
  'proposer'?: (string);
  /**
   * The mode the request ran with, after the server's default was applied.
   */
  'mode'?: (_tiercel_v1_SpeculationMode);
  /**
   * Verification steps that had at least one drafted token.
   */
  'drafts'?: (number);
  /**
   * Tokens proposed by the drafter, over all steps.
   */
  'drafted_tokens'?: (number);
  /**
   * Drafted tokens the target accepted (always <= drafted_tokens).
   */
  'accepted_tokens'?: (number);
  /**
   * Target forward passes after the prompt (verification steps plus plain steps). Without speculation
   * this is about one per generated token; with good drafts it is much lower.
   */
  'target_passes'?: (number);
  /**
   * accepted_tokens / drafted_tokens; 0 when nothing was drafted.
   */
  'acceptance_rate'?: (number | string);
  /**
   * Tokens emitted per drafted step, 1 + accepted_tokens / drafts; 0 when there were no drafts.
   */
  'mean_acceptance_length'?: (number | string);
  /**
   * accepted_per_position[i] = verification steps that accepted at least i + 1 drafted tokens.
   */
  'accepted_per_position'?: (number)[];
  /**
   * Milliseconds from the start of generation (after queueing) to the first generated token.
   */
  'ttft_ms'?: (number | string);
  /**
   * Completion tokens after the first, per second of decoding after the first token.
   */
  'decode_tokens_per_second'?: (number | string);
  /**
   * Prompt tokens whose KV cache was reused (not evaluated again): held by the sequence from its previous
   * request, copied into it from another sequence's cache (prompt_tokens_copied of them), or loaded from
   * the host cache (prompt_tokens_restored of them).
   */
  'prompt_tokens_reused'?: (number);
  /**
   * Milliseconds spent waiting for a free sequence before generation started.
   */
  'queue_ms'?: (number | string);
  /**
   * Milliseconds from the start of generation (after queueing) to the last token.
   */
  'total_ms'?: (number | string);
  /**
   * Why the server chose `proposer` at the start (AUTO explains its measured choice).
   */
  'selection_reason'?: (string);
  /**
   * Drafter changes during the request (AUTO only), in order.
   */
  'switches'?: (_tiercel_v1_DrafterSwitch)[];
  /**
   * draft_lengths[k] = steps for which the server chose draft length k (index 0 = plain steps). A lookup
   * drafter (n-gram, suffix) without a match drafts nothing at such a step: drafted_lengths has what was
   * drafted.
   */
  'draft_lengths'?: (number)[];
  /**
   * Speedup over plain decoding the server expected when it chose the drafter (1 = none expected).
   */
  'predicted_speedup'?: (number | string);
  /**
   * Measured decode rate over this target's measured plain-decoding rate (0 when not yet measured).
   */
  'measured_speedup'?: (number | string);
  /**
   * Mean natural-log probability of the emitted tokens (end-of-generation token excluded) under the
   * distribution each was chosen from: the target's softmax at temperature 0 (where the emitted token is
   * its argmax), the post-sampler distribution (temperature, top_k, top_p) at temperature > 0. At most 0;
   * closer to 0 is more confident. Set only when the request set return_confidence and at least one
   * token was emitted.
   */
  'mean_logprob'?: (number | string);
  /**
   * The lowest log-probability among the emitted tokens (same distribution and conditions as
   * mean_logprob).
   */
  'min_logprob'?: (number | string);
  /**
   * Positions evaluated a second time for their full probability map: under a grammar (tools with a
   * required call, response_format) a large vocabulary's position lists only its most likely tokens, and
   * where those do not decide the constrained choice the position is evaluated again (one extra target
   * pass each; engine.grammarTopK sets the list).
   */
  'full_map_passes'?: (number);
  /**
   * Of full_map_passes, those at a position after drafted tokens of its verification step: the draft
   * was verified up to that position and cut there.
   */
  'full_map_after_draft'?: (number);
  /**
   * drafted_lengths[d] = verification steps that drafted d tokens (d >= 1; index 0 unused, 0): the
   * passes' lengths, d + 1 tokens each, which is what their time depends on.
   */
  'drafted_lengths'?: (number)[];
  /**
   * Steps in which AUTO verified a free drafter's proposal to measure a pass length its cost curve had
   * not measured for long (at most one per 500 passes server-wide).
   */
  'explorations'?: (number);
  /**
   * observed_per_position[i] = verification steps in which draft position i + 1 was verified (drafted,
   * and every position before it accepted): accepted_per_position[i] / observed_per_position[i] is that
   * position's acceptance given the ones before it.
   */
  'observed_per_position'?: (number)[];
  /**
   * Of prompt_tokens_reused, those copied from another sequence's KV cache before this request started
   * (a prefix it shares with another session's conversation: a sub-agent's system prompt and tools).
   */
  'prompt_tokens_copied'?: (number);
  /**
   * Of prompt_tokens_reused, those loaded from the host cache before this request started: the KV cache
   * of its conversation, saved to host memory when another conversation took its sequence (more sessions
   * than sequences; engine.hostCache).
   */
  'prompt_tokens_restored'?: (number);
  /**
   * Temperature > 0: the seed this request sampled with, the request's own or, when it set none, the
   * random one the server chose. Sent back in `seed` with the same request, it draws the same sample
   * (whatever speculates; docs/speculative-decoding.md). Unset at temperature 0.
   */
  'seed'?: (number);
  '_mean_logprob'?: "mean_logprob";
  '_min_logprob'?: "min_logprob";
  '_seed'?: "seed";
}

/**
 * How one request was generated: speculative decoding counters and timings. Counters follow vLLM and
 * llama.cpp: acceptance_rate = accepted_tokens / drafted_tokens and
 * mean_acceptance_length = 1 + accepted_tokens / drafts.
 */
export interface GenerationStats__Output {
  /**
   * Which drafter started: "none" (plain decoding), "ngram", "suffix", or a draft model id.
   */
  'proposer': (string);
  /**
   * The mode the request ran with, after the server's default was applied.
   */
  'mode': (_tiercel_v1_SpeculationMode__Output);
  /**
   * Verification steps that had at least one drafted token.
   */
  'drafts': (number);
  /**
   * Tokens proposed by the drafter, over all steps.
   */
  'drafted_tokens': (number);
  /**
   * Drafted tokens the target accepted (always <= drafted_tokens).
   */
  'accepted_tokens': (number);
  /**
   * Target forward passes after the prompt (verification steps plus plain steps). Without speculation
   * this is about one per generated token; with good drafts it is much lower.
   */
  'target_passes': (number);
  /**
   * accepted_tokens / drafted_tokens; 0 when nothing was drafted.
   */
  'acceptance_rate': (number);
  /**
   * Tokens emitted per drafted step, 1 + accepted_tokens / drafts; 0 when there were no drafts.
   */
  'mean_acceptance_length': (number);
  /**
   * accepted_per_position[i] = verification steps that accepted at least i + 1 drafted tokens.
   */
  'accepted_per_position': (number)[];
  /**
   * Milliseconds from the start of generation (after queueing) to the first generated token.
   */
  'ttft_ms': (number);
  /**
   * Completion tokens after the first, per second of decoding after the first token.
   */
  'decode_tokens_per_second': (number);
  /**
   * Prompt tokens whose KV cache was reused (not evaluated again): held by the sequence from its previous
   * request, copied into it from another sequence's cache (prompt_tokens_copied of them), or loaded from
   * the host cache (prompt_tokens_restored of them).
   */
  'prompt_tokens_reused': (number);
  /**
   * Milliseconds spent waiting for a free sequence before generation started.
   */
  'queue_ms': (number);
  /**
   * Milliseconds from the start of generation (after queueing) to the last token.
   */
  'total_ms': (number);
  /**
   * Why the server chose `proposer` at the start (AUTO explains its measured choice).
   */
  'selection_reason': (string);
  /**
   * Drafter changes during the request (AUTO only), in order.
   */
  'switches': (_tiercel_v1_DrafterSwitch__Output)[];
  /**
   * draft_lengths[k] = steps for which the server chose draft length k (index 0 = plain steps). A lookup
   * drafter (n-gram, suffix) without a match drafts nothing at such a step: drafted_lengths has what was
   * drafted.
   */
  'draft_lengths': (number)[];
  /**
   * Speedup over plain decoding the server expected when it chose the drafter (1 = none expected).
   */
  'predicted_speedup': (number);
  /**
   * Measured decode rate over this target's measured plain-decoding rate (0 when not yet measured).
   */
  'measured_speedup': (number);
  /**
   * Mean natural-log probability of the emitted tokens (end-of-generation token excluded) under the
   * distribution each was chosen from: the target's softmax at temperature 0 (where the emitted token is
   * its argmax), the post-sampler distribution (temperature, top_k, top_p) at temperature > 0. At most 0;
   * closer to 0 is more confident. Set only when the request set return_confidence and at least one
   * token was emitted.
   */
  'mean_logprob'?: (number);
  /**
   * The lowest log-probability among the emitted tokens (same distribution and conditions as
   * mean_logprob).
   */
  'min_logprob'?: (number);
  /**
   * Positions evaluated a second time for their full probability map: under a grammar (tools with a
   * required call, response_format) a large vocabulary's position lists only its most likely tokens, and
   * where those do not decide the constrained choice the position is evaluated again (one extra target
   * pass each; engine.grammarTopK sets the list).
   */
  'full_map_passes': (number);
  /**
   * Of full_map_passes, those at a position after drafted tokens of its verification step: the draft
   * was verified up to that position and cut there.
   */
  'full_map_after_draft': (number);
  /**
   * drafted_lengths[d] = verification steps that drafted d tokens (d >= 1; index 0 unused, 0): the
   * passes' lengths, d + 1 tokens each, which is what their time depends on.
   */
  'drafted_lengths': (number)[];
  /**
   * Steps in which AUTO verified a free drafter's proposal to measure a pass length its cost curve had
   * not measured for long (at most one per 500 passes server-wide).
   */
  'explorations': (number);
  /**
   * observed_per_position[i] = verification steps in which draft position i + 1 was verified (drafted,
   * and every position before it accepted): accepted_per_position[i] / observed_per_position[i] is that
   * position's acceptance given the ones before it.
   */
  'observed_per_position': (number)[];
  /**
   * Of prompt_tokens_reused, those copied from another sequence's KV cache before this request started
   * (a prefix it shares with another session's conversation: a sub-agent's system prompt and tools).
   */
  'prompt_tokens_copied': (number);
  /**
   * Of prompt_tokens_reused, those loaded from the host cache before this request started: the KV cache
   * of its conversation, saved to host memory when another conversation took its sequence (more sessions
   * than sequences; engine.hostCache).
   */
  'prompt_tokens_restored': (number);
  /**
   * Temperature > 0: the seed this request sampled with, the request's own or, when it set none, the
   * random one the server chose. Sent back in `seed` with the same request, it draws the same sample
   * (whatever speculates; docs/speculative-decoding.md). Unset at temperature 0.
   */
  'seed'?: (number);
  '_mean_logprob'?: "mean_logprob";
  '_min_logprob'?: "min_logprob";
  '_seed'?: "seed";
}
