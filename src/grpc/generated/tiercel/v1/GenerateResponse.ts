// Original file: proto/tiercel/v1/inference.proto

import type { FinishReason as _tiercel_v1_FinishReason, FinishReason__Output as _tiercel_v1_FinishReason__Output } from '../../tiercel/v1/FinishReason.js';
import type { Usage as _tiercel_v1_Usage, Usage__Output as _tiercel_v1_Usage__Output } from '../../tiercel/v1/Usage.js';
import type { GenerationStats as _tiercel_v1_GenerationStats, GenerationStats__Output as _tiercel_v1_GenerationStats__Output } from '../../tiercel/v1/GenerationStats.js';
import type { ToolCall as _tiercel_v1_ToolCall, ToolCall__Output as _tiercel_v1_ToolCall__Output } from '../../tiercel/v1/ToolCall.js';

/**
 * The result of Generate.
 */
export interface GenerateResponse {
  /**
   * The generated text (stop string excluded).
   */
  'text'?: (string);
  /**
   * The generated token ids (end-of-generation token excluded).
   */
  'token_ids'?: (number)[];
  /**
   * Why generation ended.
   */
  'finish_reason'?: (_tiercel_v1_FinishReason);
  /**
   * Token counts.
   */
  'usage'?: (_tiercel_v1_Usage | null);
  /**
   * Speculative decoding counters and timings.
   */
  'stats'?: (_tiercel_v1_GenerationStats | null);
  /**
   * The tool calls the answer ends with (finish_reason FINISH_REASON_TOOL_CALLS), in order; `text` is then
   * the content before them. Empty without tools.
   */
  'tool_calls'?: (_tiercel_v1_ToolCall)[];
}

/**
 * The result of Generate.
 */
export interface GenerateResponse__Output {
  /**
   * The generated text (stop string excluded).
   */
  'text': (string);
  /**
   * The generated token ids (end-of-generation token excluded).
   */
  'token_ids': (number)[];
  /**
   * Why generation ended.
   */
  'finish_reason': (_tiercel_v1_FinishReason__Output);
  /**
   * Token counts.
   */
  'usage': (_tiercel_v1_Usage__Output | null);
  /**
   * Speculative decoding counters and timings.
   */
  'stats': (_tiercel_v1_GenerationStats__Output | null);
  /**
   * The tool calls the answer ends with (finish_reason FINISH_REASON_TOOL_CALLS), in order; `text` is then
   * the content before them. Empty without tools.
   */
  'tool_calls': (_tiercel_v1_ToolCall__Output)[];
}
