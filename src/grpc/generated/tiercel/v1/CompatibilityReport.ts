// Original file: proto/tiercel/v1/inference.proto

import type { CompatibilityVerdict as _tiercel_v1_CompatibilityVerdict, CompatibilityVerdict__Output as _tiercel_v1_CompatibilityVerdict__Output } from '../../tiercel/v1/CompatibilityVerdict.js';
import type { CompatibilityReason as _tiercel_v1_CompatibilityReason, CompatibilityReason__Output as _tiercel_v1_CompatibilityReason__Output } from '../../tiercel/v1/CompatibilityReason.js';
import type { CompatibilityWarning as _tiercel_v1_CompatibilityWarning, CompatibilityWarning__Output as _tiercel_v1_CompatibilityWarning__Output } from '../../tiercel/v1/CompatibilityWarning.js';

/**
 * A draft model's tokenizer compared with the target's.
 */
export interface CompatibilityReport {
  /**
   * The outcome.
   */
  'verdict'?: (_tiercel_v1_CompatibilityVerdict);
  /**
   * Every failed rule; empty unless the verdict is INCOMPATIBLE.
   */
  'reasons'?: (_tiercel_v1_CompatibilityReason)[];
  /**
   * Differences that were tolerated.
   */
  'warnings'?: (_tiercel_v1_CompatibilityWarning)[];
  /**
   * Token ids whose text differs between the two vocabularies (in the range that was compared).
   */
  'differing_text_count'?: (number);
  /**
   * Token ids whose llama.cpp token type differs.
   */
  'differing_type_count'?: (number);
}

/**
 * A draft model's tokenizer compared with the target's.
 */
export interface CompatibilityReport__Output {
  /**
   * The outcome.
   */
  'verdict': (_tiercel_v1_CompatibilityVerdict__Output);
  /**
   * Every failed rule; empty unless the verdict is INCOMPATIBLE.
   */
  'reasons': (_tiercel_v1_CompatibilityReason__Output)[];
  /**
   * Differences that were tolerated.
   */
  'warnings': (_tiercel_v1_CompatibilityWarning__Output)[];
  /**
   * Token ids whose text differs between the two vocabularies (in the range that was compared).
   */
  'differing_text_count': (number);
  /**
   * Token ids whose llama.cpp token type differs.
   */
  'differing_type_count': (number);
}
