// Original file: proto/tiercel/v1/inference.proto


/**
 * A difference that does not stop speculative decoding but is worth knowing.
 */
export interface CompatibilityWarning {
  /**
   * pre_tokenizer, merges, chat_template, tail_tokens or token_type.
   */
  'kind'?: (string);
  /**
   * What differs.
   */
  'message'?: (string);
}

/**
 * A difference that does not stop speculative decoding but is worth knowing.
 */
export interface CompatibilityWarning__Output {
  /**
   * pre_tokenizer, merges, chat_template, tail_tokens or token_type.
   */
  'kind': (string);
  /**
   * What differs.
   */
  'message': (string);
}
