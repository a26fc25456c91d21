// Original file: proto/tiercel/v1/inference.proto

/**
 * Why generation ended.
 */
export const FinishReason = {
  /**
   * Not finished: every GenerateStream chunk but the last.
   */
  FINISH_REASON_UNSPECIFIED: 'FINISH_REASON_UNSPECIFIED',
  /**
   * The model produced an end-of-generation token (EOS, EOT, or the chat template's end-of-turn).
   */
  FINISH_REASON_EOS: 'FINISH_REASON_EOS',
  /**
   * The output reached one of the request's stop strings (the stop string is not included).
   */
  FINISH_REASON_STOP_SEQUENCE: 'FINISH_REASON_STOP_SEQUENCE',
  /**
   * max_tokens were generated, or the context window is full.
   */
  FINISH_REASON_LENGTH: 'FINISH_REASON_LENGTH',
  /**
   * The answer ends with tool calls (GenerateResponse.tool_calls, the last GenerateChunk's tool_calls):
   * the caller runs them and sends their results back as "tool" messages.
   */
  FINISH_REASON_TOOL_CALLS: 'FINISH_REASON_TOOL_CALLS',
} as const;

/**
 * Why generation ended.
 */
export type FinishReason =
  /**
   * Not finished: every GenerateStream chunk but the last.
   */
  | 'FINISH_REASON_UNSPECIFIED'
  | 0
  /**
   * The model produced an end-of-generation token (EOS, EOT, or the chat template's end-of-turn).
   */
  | 'FINISH_REASON_EOS'
  | 1
  /**
   * The output reached one of the request's stop strings (the stop string is not included).
   */
  | 'FINISH_REASON_STOP_SEQUENCE'
  | 2
  /**
   * max_tokens were generated, or the context window is full.
   */
  | 'FINISH_REASON_LENGTH'
  | 3
  /**
   * The answer ends with tool calls (GenerateResponse.tool_calls, the last GenerateChunk's tool_calls):
   * the caller runs them and sends their results back as "tool" messages.
   */
  | 'FINISH_REASON_TOOL_CALLS'
  | 4

/**
 * Why generation ended.
 */
export type FinishReason__Output = typeof FinishReason[keyof typeof FinishReason]
