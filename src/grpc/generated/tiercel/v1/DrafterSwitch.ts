// Original file: proto/tiercel/v1/inference.proto


/**
 * A change of drafter in the middle of a request.
 */
export interface DrafterSwitch {
  /**
   * Completion tokens generated when the switch happened.
   */
  'at_token'?: (number);
  /**
   * The drafter before ("none", "ngram" or a draft model id).
   */
  'from'?: (string);
  /**
   * The drafter after.
   */
  'to'?: (string);
  /**
   * Why the server switched.
   */
  'reason'?: (string);
}

/**
 * A change of drafter in the middle of a request.
 */
export interface DrafterSwitch__Output {
  /**
   * Completion tokens generated when the switch happened.
   */
  'at_token': (number);
  /**
   * The drafter before ("none", "ngram" or a draft model id).
   */
  'from': (string);
  /**
   * The drafter after.
   */
  'to': (string);
  /**
   * Why the server switched.
   */
  'reason': (string);
}
