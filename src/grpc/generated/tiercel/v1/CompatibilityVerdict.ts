// Original file: proto/tiercel/v1/inference.proto

/**
 * How a draft's tokenizer relates to the target's.
 */
export const CompatibilityVerdict = {
  /**
   * Never sent for drafts; targets carry no report.
   */
  COMPATIBILITY_VERDICT_UNSPECIFIED: 'COMPATIBILITY_VERDICT_UNSPECIFIED',
  /**
   * Same vocabulary, token types and special tokens.
   */
  COMPATIBILITY_VERDICT_IDENTICAL: 'COMPATIBILITY_VERDICT_IDENTICAL',
  /**
   * llama.cpp's compatibility rule holds: draft token ids can be fed to the target as they are.
   */
  COMPATIBILITY_VERDICT_COMPATIBLE: 'COMPATIBILITY_VERDICT_COMPATIBLE',
  /**
   * At least one rule failed (see reasons): token ids cannot be exchanged. The draft is used through
   * text (draft_mode TRANSLATED) or, with translation disabled, refused and not loaded.
   */
  COMPATIBILITY_VERDICT_INCOMPATIBLE: 'COMPATIBILITY_VERDICT_INCOMPATIBLE',
} as const;

/**
 * How a draft's tokenizer relates to the target's.
 */
export type CompatibilityVerdict =
  /**
   * Never sent for drafts; targets carry no report.
   */
  | 'COMPATIBILITY_VERDICT_UNSPECIFIED'
  | 0
  /**
   * Same vocabulary, token types and special tokens.
   */
  | 'COMPATIBILITY_VERDICT_IDENTICAL'
  | 1
  /**
   * llama.cpp's compatibility rule holds: draft token ids can be fed to the target as they are.
   */
  | 'COMPATIBILITY_VERDICT_COMPATIBLE'
  | 2
  /**
   * At least one rule failed (see reasons): token ids cannot be exchanged. The draft is used through
   * text (draft_mode TRANSLATED) or, with translation disabled, refused and not loaded.
   */
  | 'COMPATIBILITY_VERDICT_INCOMPATIBLE'
  | 3

/**
 * How a draft's tokenizer relates to the target's.
 */
export type CompatibilityVerdict__Output = typeof CompatibilityVerdict[keyof typeof CompatibilityVerdict]
