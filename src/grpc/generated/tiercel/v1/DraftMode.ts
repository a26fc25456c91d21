// Original file: proto/tiercel/v1/inference.proto

/**
 * How a draft model's proposals reach the target.
 */
export const DraftMode = {
  /**
   * Targets, and drafts that were refused.
   */
  DRAFT_MODE_UNSPECIFIED: 'DRAFT_MODE_UNSPECIFIED',
  /**
   * Same token ids as the target (verdict IDENTICAL or COMPATIBLE): proposals are used as they are.
   */
  DRAFT_MODE_DIRECT: 'DRAFT_MODE_DIRECT',
  /**
   * A different tokenizer (verdict INCOMPATIBLE, `speculation.translateIncompatibleDrafts` on): proposals
   * are detokenized to text and retokenized with the target's vocabulary. Exactness is unaffected.
   */
  DRAFT_MODE_TRANSLATED: 'DRAFT_MODE_TRANSLATED',
} as const;

/**
 * How a draft model's proposals reach the target.
 */
export type DraftMode =
  /**
   * Targets, and drafts that were refused.
   */
  | 'DRAFT_MODE_UNSPECIFIED'
  | 0
  /**
   * Same token ids as the target (verdict IDENTICAL or COMPATIBLE): proposals are used as they are.
   */
  | 'DRAFT_MODE_DIRECT'
  | 1
  /**
   * A different tokenizer (verdict INCOMPATIBLE, `speculation.translateIncompatibleDrafts` on): proposals
   * are detokenized to text and retokenized with the target's vocabulary. Exactness is unaffected.
   */
  | 'DRAFT_MODE_TRANSLATED'
  | 2

/**
 * How a draft model's proposals reach the target.
 */
export type DraftMode__Output = typeof DraftMode[keyof typeof DraftMode]
