// Original file: proto/tiercel/v1/inference.proto


/**
 * One chat message. Messages are rendered with the target model's chat template (from its GGUF
 * `tokenizer.chat_template`); a model without one gets ChatML (`<|im_start|>role\ncontent<|im_end|>\n`).
 * Message content is always tokenized as plain text: special-token strings inside it are not special.
 */
export interface ChatMessage {
  /**
   * "system", "user" or "assistant". A trailing "assistant" message is a prefill: generation continues
   * its content instead of starting a new turn.
   */
  'role'?: (string);
  /**
   * The message text (UTF-8).
   */
  'content'?: (string);
}

/**
 * One chat message. Messages are rendered with the target model's chat template (from its GGUF
 * `tokenizer.chat_template`); a model without one gets ChatML (`<|im_start|>role\ncontent<|im_end|>\n`).
 * Message content is always tokenized as plain text: special-token strings inside it are not special.
 */
export interface ChatMessage__Output {
  /**
   * "system", "user" or "assistant". A trailing "assistant" message is a prefill: generation continues
   * its content instead of starting a new turn.
   */
  'role': (string);
  /**
   * The message text (UTF-8).
   */
  'content': (string);
}
