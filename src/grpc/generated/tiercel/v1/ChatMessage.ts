// Original file: proto/tiercel/v1/inference.proto

import type { ToolCall as _tiercel_v1_ToolCall, ToolCall__Output as _tiercel_v1_ToolCall__Output } from '../../tiercel/v1/ToolCall.js';

/**
 * One chat message. Messages are rendered with the target model's chat template (from its GGUF
 * `tokenizer.chat_template`); a model without one gets ChatML (`<|im_start|>role\ncontent<|im_end|>\n`).
 * Message content is always tokenized as plain text: special-token strings inside it are not special.
 */
export interface ChatMessage {
  /**
   * "system", "user", "assistant" or "tool". A trailing "assistant" message is a prefill: generation
   * continues its content instead of starting a new turn. A "tool" message is the result of one tool call
   * of the assistant message before it (tool_call_id names the call); generation after trailing tool
   * results continues that assistant turn, as the model's chat template lays it out.
   */
  'role'?: (string);
  /**
   * The message text (UTF-8); for "tool" messages, the tool's output.
   */
  'content'?: (string);
  /**
   * "assistant" only: the tool calls this turn made (after its content), each answered by a later "tool"
   * message with the call's id. Rendered with the target's own tool-call syntax.
   */
  'tool_calls'?: (_tiercel_v1_ToolCall)[];
  /**
   * "tool" only: the id of the call (an earlier assistant message's tool_calls[].id) this result answers.
   * Required on "tool" messages; an id no earlier call has is INVALID_ARGUMENT.
   */
  'tool_call_id'?: (string);
  /**
   * "tool" only, optional: the tool's name; when set it must be the named call's name.
   */
  'name'?: (string);
}

/**
 * One chat message. Messages are rendered with the target model's chat template (from its GGUF
 * `tokenizer.chat_template`); a model without one gets ChatML (`<|im_start|>role\ncontent<|im_end|>\n`).
 * Message content is always tokenized as plain text: special-token strings inside it are not special.
 */
export interface ChatMessage__Output {
  /**
   * "system", "user", "assistant" or "tool". A trailing "assistant" message is a prefill: generation
   * continues its content instead of starting a new turn. A "tool" message is the result of one tool call
   * of the assistant message before it (tool_call_id names the call); generation after trailing tool
   * results continues that assistant turn, as the model's chat template lays it out.
   */
  'role': (string);
  /**
   * The message text (UTF-8); for "tool" messages, the tool's output.
   */
  'content': (string);
  /**
   * "assistant" only: the tool calls this turn made (after its content), each answered by a later "tool"
   * message with the call's id. Rendered with the target's own tool-call syntax.
   */
  'tool_calls': (_tiercel_v1_ToolCall__Output)[];
  /**
   * "tool" only: the id of the call (an earlier assistant message's tool_calls[].id) this result answers.
   * Required on "tool" messages; an id no earlier call has is INVALID_ARGUMENT.
   */
  'tool_call_id': (string);
  /**
   * "tool" only, optional: the tool's name; when set it must be the named call's name.
   */
  'name': (string);
}
