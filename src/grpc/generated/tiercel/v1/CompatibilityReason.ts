// Original file: proto/tiercel/v1/inference.proto


/**
 * One failed compatibility rule.
 */
export interface CompatibilityReason {
  /**
   * Stable rule id: vocab_type, add_bos, bos_id, add_eos, eos_id, vocab_size, token_text or eog_set.
   */
  'rule'?: (string);
  /**
   * What differs and what to do about it.
   */
  'message'?: (string);
}

/**
 * One failed compatibility rule.
 */
export interface CompatibilityReason__Output {
  /**
   * Stable rule id: vocab_type, add_bos, bos_id, add_eos, eos_id, vocab_size, token_text or eog_set.
   */
  'rule': (string);
  /**
   * What differs and what to do about it.
   */
  'message': (string);
}
