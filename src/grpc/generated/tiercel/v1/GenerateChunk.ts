// Original file: proto/tiercel/v1/inference.proto

import type { FinishReason as _tiercel_v1_FinishReason, FinishReason__Output as _tiercel_v1_FinishReason__Output } from '../../tiercel/v1/FinishReason.js';
import type { Usage as _tiercel_v1_Usage, Usage__Output as _tiercel_v1_Usage__Output } from '../../tiercel/v1/Usage.js';
import type { GenerationStats as _tiercel_v1_GenerationStats, GenerationStats__Output as _tiercel_v1_GenerationStats__Output } from '../../tiercel/v1/GenerationStats.js';
import type { ToolCallDelta as _tiercel_v1_ToolCallDelta, ToolCallDelta__Output as _tiercel_v1_ToolCallDelta__Output } from '../../tiercel/v1/ToolCallDelta.js';
import type { ToolCall as _tiercel_v1_ToolCall, ToolCall__Output as _tiercel_v1_ToolCall__Output } from '../../tiercel/v1/ToolCall.js';

/**
 * One GenerateStream message. Text may lag token ids by a few tokens while a multi-byte character or a
 * possible stop string is pending; the last chunk flushes it.
 */
export interface GenerateChunk {
  /**
   * Text generated since the previous chunk (may be empty).
   */
  'text'?: (string);
  /**
   * Token ids generated since the previous chunk (may be empty on the last chunk).
   */
  'token_ids'?: (number)[];
  /**
   * FINISH_REASON_UNSPECIFIED on every chunk but the last.
   */
  'finish_reason'?: (_tiercel_v1_FinishReason);
  /**
   * Last chunk only: token counts.
   */
  'usage'?: (_tiercel_v1_Usage | null);
  /**
   * Last chunk only: speculative decoding counters and timings.
   */
  'stats'?: (_tiercel_v1_GenerationStats | null);
  /**
   * Tool calls as they are generated (see ToolCallDelta); `text` never carries call syntax.
   */
  'tool_call_deltas'?: (_tiercel_v1_ToolCallDelta)[];
  /**
   * Last chunk only: the complete tool calls, as GenerateResponse.tool_calls.
   */
  'tool_calls'?: (_tiercel_v1_ToolCall)[];
}

/**
 * One GenerateStream message. Text may lag token ids by a few tokens while a multi-byte character or a
 * possible stop string is pending; the last chunk flushes it.
 */
export interface GenerateChunk__Output {
  /**
   * Text generated since the previous chunk (may be empty).
   */
  'text': (string);
  /**
   * Token ids generated since the previous chunk (may be empty on the last chunk).
   */
  'token_ids': (number)[];
  /**
   * FINISH_REASON_UNSPECIFIED on every chunk but the last.
   */
  'finish_reason': (_tiercel_v1_FinishReason__Output);
  /**
   * Last chunk only: token counts.
   */
  'usage': (_tiercel_v1_Usage__Output | null);
  /**
   * Last chunk only: speculative decoding counters and timings.
   */
  'stats': (_tiercel_v1_GenerationStats__Output | null);
  /**
   * Tool calls as they are generated (see ToolCallDelta); `text` never carries call syntax.
   */
  'tool_call_deltas': (_tiercel_v1_ToolCallDelta__Output)[];
  /**
   * Last chunk only: the complete tool calls, as GenerateResponse.tool_calls.
   */
  'tool_calls': (_tiercel_v1_ToolCall__Output)[];
}
