// Original file: proto/tiercel/v1/inference.proto

import type { ChatMessage as _tiercel_v1_ChatMessage, ChatMessage__Output as _tiercel_v1_ChatMessage__Output } from '../../tiercel/v1/ChatMessage.js';
import type { SpeculationOptions as _tiercel_v1_SpeculationOptions, SpeculationOptions__Output as _tiercel_v1_SpeculationOptions__Output } from '../../tiercel/v1/SpeculationOptions.js';
import type { InfillContext as _tiercel_v1_InfillContext, InfillContext__Output as _tiercel_v1_InfillContext__Output } from '../../tiercel/v1/InfillContext.js';
import type { ResponseFormat as _tiercel_v1_ResponseFormat, ResponseFormat__Output as _tiercel_v1_ResponseFormat__Output } from '../../tiercel/v1/ResponseFormat.js';
import type { Tool as _tiercel_v1_Tool, Tool__Output as _tiercel_v1_Tool__Output } from '../../tiercel/v1/Tool.js';

/**
 * A completion request: either `prompt` (raw completion) or `messages` (chat), never both.
 */
export interface GenerateRequest {
  /**
   * Raw prompt text, tokenized with the target's tokenizer (special-token text such as "<|im_start|>" is
   * parsed as special tokens; BOS is prepended when the model wants it). Exclusive with `messages`.
   */
  'prompt'?: (string);
  /**
   * Chat messages, rendered with the target model's chat template and followed by the assistant turn's
   * opening. Exclusive with `prompt`.
   */
  'messages'?: (_tiercel_v1_ChatMessage)[];
  /**
   * Target model id (see ListModels). Empty = the configured target. Unknown ids are NOT_FOUND.
   */
  'model'?: (string);
  /**
   * Maximum number of tokens to generate, at least 1. Unset = the server's `generation.defaultMaxTokens`.
   * A value beyond the room the prompt leaves in the context is clamped to that room (agents send limits
   * meant for hosted models, e.g. 128000): generation then stops when the context is full, with
   * FINISH_REASON_LENGTH, as it does in process.
   */
  'max_tokens'?: (number);
  /**
   * Sampling temperature in [0, 5]. 0 (the default) is greedy decoding: deterministic, and speculation
   * is exact.
   */
  'temperature'?: (number | string);
  /**
   * Nucleus sampling mass in (0, 1] (temperature > 0 only). Unset = 0.95.
   */
  'top_p'?: (number | string);
  /**
   * Keep only the k most likely tokens, k >= 0 (0 = off; temperature > 0 only). Unset = 40.
   */
  'top_k'?: (number);
  /**
   * Seed of the request's sampler (temperature > 0). The same seed and request give the same output
   * whatever speculates (OFF, any drafter, AUTO under any load): each position draws with a number keyed
   * by the seed and its position, and drafts are kept only where they equal that sample. Batches of
   * other shapes can change a probability's last bits and so, rarely, a draw near a boundary between two
   * tokens: docs/speculative-decoding.md. Unset = a random seed, reported in stats.seed.
   */
  'seed'?: (number);
  /**
   * Generation stops before the first occurrence of any of these strings; the stop string is not
   * included in the output. Empty strings are INVALID_ARGUMENT.
   */
  'stop'?: (string)[];
  /**
   * Opaque client session id (e.g. one agent conversation), included in the server's error logs. It is
   * also the namespace of cross-request drafting (SPECULATION_MODE_SUFFIX, and AUTO): a request's prompt
   * and output draft only for later requests with the same session_id and cache_scope, never for other
   * sessions or scopes (two tenants sending the same id stay apart); empty = no cross-request drafting. Each request takes a free sequence and reuses the longest prompt prefix
   * that sequence still holds in its KV cache, or one copied from another free sequence's cache without
   * erasing that one's tail, so sibling sessions sharing a system prompt keep their own conversations
   * (stats.prompt_tokens_reused, stats.prompt_tokens_copied). At most 256 characters (INVALID_ARGUMENT
   * beyond: an id, not a place for text; the server keeps one per session).
   */
  'session_id'?: (string);
  /**
   * Speculative decoding settings. Unset = the server's defaults.
   */
  'speculation'?: (_tiercel_v1_SpeculationOptions | null);
  /**
   * Report the target's confidence in the emitted tokens (GenerationStats.mean_logprob and
   * min_logprob), e.g. for a router that escalates unsure answers. Off by default because at
   * temperature 0 it adds a softmax over the vocabulary to every verified position; at temperature > 0
   * it is nearly free. Defaults to false.
   */
  'return_confidence'?: (boolean);
  /**
   * Fill-in-the-middle: the text after the cursor (`prompt` is then the text before it, and may be
   * empty; the output is the middle). When set, even to "", the prompt is laid out with the target's FIM
   * tokens from its GGUF metadata, as llama.cpp's /infill does: repo and file separators where the model
   * has them, then prefix, suffix and middle tokens. Prefix, suffix and extra_context are tokenized as
   * plain text. Exclusive with `messages`. A target without FIM tokens is FAILED_PRECONDITION with code
   * E_FIM_UNSUPPORTED (ListModels says which targets support it). Unset = a plain completion.
   */
  'suffix'?: (string);
  /**
   * Fill-in-the-middle only: other files shown to the model before the current one (e.g. the files the
   * editor has open), in order. INVALID_ARGUMENT without `suffix`.
   */
  'extra_context'?: (_tiercel_v1_InfillContext)[];
  /**
   * Min-p sampling in [0, 1] (temperature > 0 only): drop tokens less likely than min_p times the most
   * likely one. Unset = 0 (off).
   */
  'min_p'?: (number | string);
  /**
   * Divide the logit of each token seen in the last repeat_last_n tokens (prompt and output) by this
   * (multiply when negative), as llama.cpp's repeat penalty; > 0. Unset = 1 (off). Like every penalty and
   * logit_bias, it is applied to the target's distribution at each position with that position's own
   * history, so speculation stays exact.
   */
  'repeat_penalty'?: (number | string);
  /**
   * How many of the latest tokens (prompt and output) the penalties look at, >= 0 (0 = none). Unset = 64.
   */
  'repeat_last_n'?: (number);
  /**
   * Subtracted from the logit of every token present in the last repeat_last_n tokens, in [-2, 2].
   * Unset = 0 (off).
   */
  'presence_penalty'?: (number | string);
  /**
   * Subtracted from a token's logit once per occurrence in the last repeat_last_n tokens, in [-2, 2].
   * Unset = 0 (off).
   */
  'frequency_penalty'?: (number | string);
  /**
   * Added to the logits of the given token ids (see Tokenize), each a finite number; -100 or less makes a
   * token practically impossible. End-of-generation tokens cannot be biased (INVALID_ARGUMENT), nor ids
   * outside the vocabulary. Unset = no bias.
   */
  'logit_bias'?: ({[key: number]: number | string});
  /**
   * Constrain the output to JSON: a JSON Schema, or any JSON object. Decoding then chooses every token,
   * drafted ones included, among the tokens a grammar compiled from the schema allows, so speculation
   * stays exact (at temperature 0 the output equals plain constrained decoding) and the output ends at
   * the end of the JSON value with FINISH_REASON_EOS. A schema keyword the grammar cannot enforce (e.g.
   * pattern, minimum, allOf) or a schema that is not JSON is INVALID_ARGUMENT naming its path. max_tokens
   * or a stop string can still cut the JSON short (FINISH_REASON_LENGTH / FINISH_REASON_STOP_SEQUENCE). Unset =
   * free text.
   */
  'response_format'?: (_tiercel_v1_ResponseFormat | null);
  /**
   * Tools the model may call; needs `messages` (INVALID_ARGUMENT with a prompt). They are rendered with
   * the target's own chat template and tool-call syntax (ListModels' tool_calls says whether the template
   * was made for tools), and calls are parsed back with that syntax into tool_calls. Exclusive with
   * response_format. Empty = no tools.
   */
  'tools'?: (_tiercel_v1_Tool)[];
  /**
   * Whether and which tool the model must call: "" (auto: the model answers with text or calls), "none"
   * (tools are shown but no call is parsed), "required" (exactly one call of some tool) or a tool's name
   * (exactly one call of that tool). With "required" or a name, decoding is constrained by a grammar of
   * the call syntax and the tool's parameters_json, drafted tokens included, so the call always parses and
   * speculation stays exact. Any other value is INVALID_ARGUMENT, as is a tool_choice without tools.
   */
  'tool_choice'?: (string);
  /**
   * KV cache isolation (as vLLM's cache_salt): a request reuses or copies cached prompt prefixes only
   * from requests of the same cache_scope, so one tenant cannot learn from its time to first token
   * whether another tenant's prompt began with some text. Empty = the shared scope. The agent gateway
   * sets it to the caller's gateway key id when it has keys. At most 256 characters (INVALID_ARGUMENT).
   */
  'cache_scope'?: (string);
  '_max_tokens'?: "max_tokens";
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_top_k'?: "top_k";
  '_seed'?: "seed";
  '_suffix'?: "suffix";
  '_min_p'?: "min_p";
  '_repeat_penalty'?: "repeat_penalty";
  '_repeat_last_n'?: "repeat_last_n";
  '_presence_penalty'?: "presence_penalty";
  '_frequency_penalty'?: "frequency_penalty";
}

/**
 * A completion request: either `prompt` (raw completion) or `messages` (chat), never both.
 */
export interface GenerateRequest__Output {
  /**
   * Raw prompt text, tokenized with the target's tokenizer (special-token text such as "<|im_start|>" is
   * parsed as special tokens; BOS is prepended when the model wants it). Exclusive with `messages`.
   */
  'prompt': (string);
  /**
   * Chat messages, rendered with the target model's chat template and followed by the assistant turn's
   * opening. Exclusive with `prompt`.
   */
  'messages': (_tiercel_v1_ChatMessage__Output)[];
  /**
   * Target model id (see ListModels). Empty = the configured target. Unknown ids are NOT_FOUND.
   */
  'model': (string);
  /**
   * Maximum number of tokens to generate, at least 1. Unset = the server's `generation.defaultMaxTokens`.
   * A value beyond the room the prompt leaves in the context is clamped to that room (agents send limits
   * meant for hosted models, e.g. 128000): generation then stops when the context is full, with
   * FINISH_REASON_LENGTH, as it does in process.
   */
  'max_tokens'?: (number);
  /**
   * Sampling temperature in [0, 5]. 0 (the default) is greedy decoding: deterministic, and speculation
   * is exact.
   */
  'temperature'?: (number);
  /**
   * Nucleus sampling mass in (0, 1] (temperature > 0 only). Unset = 0.95.
   */
  'top_p'?: (number);
  /**
   * Keep only the k most likely tokens, k >= 0 (0 = off; temperature > 0 only). Unset = 40.
   */
  'top_k'?: (number);
  /**
   * Seed of the request's sampler (temperature > 0). The same seed and request give the same output
   * whatever speculates (OFF, any drafter, AUTO under any load): each position draws with a number keyed
   * by the seed and its position, and drafts are kept only where they equal that sample. Batches of
   * other shapes can change a probability's last bits and so, rarely, a draw near a boundary between two
   * tokens: docs/speculative-decoding.md. Unset = a random seed, reported in stats.seed.
   */
  'seed'?: (number);
  /**
   * Generation stops before the first occurrence of any of these strings; the stop string is not
   * included in the output. Empty strings are INVALID_ARGUMENT.
   */
  'stop': (string)[];
  /**
   * Opaque client session id (e.g. one agent conversation), included in the server's error logs. It is
   * also the namespace of cross-request drafting (SPECULATION_MODE_SUFFIX, and AUTO): a request's prompt
   * and output draft only for later requests with the same session_id and cache_scope, never for other
   * sessions or scopes (two tenants sending the same id stay apart); empty = no cross-request drafting. Each request takes a free sequence and reuses the longest prompt prefix
   * that sequence still holds in its KV cache, or one copied from another free sequence's cache without
   * erasing that one's tail, so sibling sessions sharing a system prompt keep their own conversations
   * (stats.prompt_tokens_reused, stats.prompt_tokens_copied). At most 256 characters (INVALID_ARGUMENT
   * beyond: an id, not a place for text; the server keeps one per session).
   */
  'session_id': (string);
  /**
   * Speculative decoding settings. Unset = the server's defaults.
   */
  'speculation': (_tiercel_v1_SpeculationOptions__Output | null);
  /**
   * Report the target's confidence in the emitted tokens (GenerationStats.mean_logprob and
   * min_logprob), e.g. for a router that escalates unsure answers. Off by default because at
   * temperature 0 it adds a softmax over the vocabulary to every verified position; at temperature > 0
   * it is nearly free. Defaults to false.
   */
  'return_confidence': (boolean);
  /**
   * Fill-in-the-middle: the text after the cursor (`prompt` is then the text before it, and may be
   * empty; the output is the middle). When set, even to "", the prompt is laid out with the target's FIM
   * tokens from its GGUF metadata, as llama.cpp's /infill does: repo and file separators where the model
   * has them, then prefix, suffix and middle tokens. Prefix, suffix and extra_context are tokenized as
   * plain text. Exclusive with `messages`. A target without FIM tokens is FAILED_PRECONDITION with code
   * E_FIM_UNSUPPORTED (ListModels says which targets support it). Unset = a plain completion.
   */
  'suffix'?: (string);
  /**
   * Fill-in-the-middle only: other files shown to the model before the current one (e.g. the files the
   * editor has open), in order. INVALID_ARGUMENT without `suffix`.
   */
  'extra_context': (_tiercel_v1_InfillContext__Output)[];
  /**
   * Min-p sampling in [0, 1] (temperature > 0 only): drop tokens less likely than min_p times the most
   * likely one. Unset = 0 (off).
   */
  'min_p'?: (number);
  /**
   * Divide the logit of each token seen in the last repeat_last_n tokens (prompt and output) by this
   * (multiply when negative), as llama.cpp's repeat penalty; > 0. Unset = 1 (off). Like every penalty and
   * logit_bias, it is applied to the target's distribution at each position with that position's own
   * history, so speculation stays exact.
   */
  'repeat_penalty'?: (number);
  /**
   * How many of the latest tokens (prompt and output) the penalties look at, >= 0 (0 = none). Unset = 64.
   */
  'repeat_last_n'?: (number);
  /**
   * Subtracted from the logit of every token present in the last repeat_last_n tokens, in [-2, 2].
   * Unset = 0 (off).
   */
  'presence_penalty'?: (number);
  /**
   * Subtracted from a token's logit once per occurrence in the last repeat_last_n tokens, in [-2, 2].
   * Unset = 0 (off).
   */
  'frequency_penalty'?: (number);
  /**
   * Added to the logits of the given token ids (see Tokenize), each a finite number; -100 or less makes a
   * token practically impossible. End-of-generation tokens cannot be biased (INVALID_ARGUMENT), nor ids
   * outside the vocabulary. Unset = no bias.
   */
  'logit_bias': ({[key: number]: number});
  /**
   * Constrain the output to JSON: a JSON Schema, or any JSON object. Decoding then chooses every token,
   * drafted ones included, among the tokens a grammar compiled from the schema allows, so speculation
   * stays exact (at temperature 0 the output equals plain constrained decoding) and the output ends at
   * the end of the JSON value with FINISH_REASON_EOS. A schema keyword the grammar cannot enforce (e.g.
   * pattern, minimum, allOf) or a schema that is not JSON is INVALID_ARGUMENT naming its path. max_tokens
   * or a stop string can still cut the JSON short (FINISH_REASON_LENGTH / FINISH_REASON_STOP_SEQUENCE). Unset =
   * free text.
   */
  'response_format': (_tiercel_v1_ResponseFormat__Output | null);
  /**
   * Tools the model may call; needs `messages` (INVALID_ARGUMENT with a prompt). They are rendered with
   * the target's own chat template and tool-call syntax (ListModels' tool_calls says whether the template
   * was made for tools), and calls are parsed back with that syntax into tool_calls. Exclusive with
   * response_format. Empty = no tools.
   */
  'tools': (_tiercel_v1_Tool__Output)[];
  /**
   * Whether and which tool the model must call: "" (auto: the model answers with text or calls), "none"
   * (tools are shown but no call is parsed), "required" (exactly one call of some tool) or a tool's name
   * (exactly one call of that tool). With "required" or a name, decoding is constrained by a grammar of
   * the call syntax and the tool's parameters_json, drafted tokens included, so the call always parses and
   * speculation stays exact. Any other value is INVALID_ARGUMENT, as is a tool_choice without tools.
   */
  'tool_choice': (string);
  /**
   * KV cache isolation (as vLLM's cache_salt): a request reuses or copies cached prompt prefixes only
   * from requests of the same cache_scope, so one tenant cannot learn from its time to first token
   * whether another tenant's prompt began with some text. Empty = the shared scope. The agent gateway
   * sets it to the caller's gateway key id when it has keys. At most 256 characters (INVALID_ARGUMENT).
   */
  'cache_scope': (string);
  '_max_tokens'?: "max_tokens";
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_top_k'?: "top_k";
  '_seed'?: "seed";
  '_suffix'?: "suffix";
  '_min_p'?: "min_p";
  '_repeat_penalty'?: "repeat_penalty";
  '_repeat_last_n'?: "repeat_last_n";
  '_presence_penalty'?: "presence_penalty";
  '_frequency_penalty'?: "frequency_penalty";
}
