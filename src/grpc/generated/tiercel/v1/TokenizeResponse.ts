// Original file: proto/tiercel/v1/inference.proto


/**
 * The result of Tokenize.
 */
export interface TokenizeResponse {
  /**
   * Token ids, BOS included when the model prepends one.
   */
  'token_ids'?: (number)[];
}

/**
 * The result of Tokenize.
 */
export interface TokenizeResponse__Output {
  /**
   * Token ids, BOS included when the model prepends one.
   */
  'token_ids': (number)[];
}
