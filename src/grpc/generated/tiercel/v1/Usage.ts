// Original file: proto/tiercel/v1/inference.proto


/**
 * Token counts of one request.
 */
export interface Usage {
  /**
   * Tokens in the prompt (after chat-template rendering), BOS included.
   */
  'prompt_tokens'?: (number);
  /**
   * Tokens generated (end-of-generation token and stop string excluded).
   */
  'completion_tokens'?: (number);
}

/**
 * Token counts of one request.
 */
export interface Usage__Output {
  /**
   * Tokens in the prompt (after chat-template rendering), BOS included.
   */
  'prompt_tokens': (number);
  /**
   * Tokens generated (end-of-generation token and stop string excluded).
   */
  'completion_tokens': (number);
}
