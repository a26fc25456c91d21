// Original file: proto/tiercel/v1/inference.proto

/**
 * How a request is sped up. Whatever the mode, output at temperature 0 is token-identical to plain
 * decoding: speculation only changes how fast the target's own choices are produced.
 */
export const SpeculationMode = {
  /**
   * Unset: the server's configured default (`speculation.defaultMode`, itself AUTO unless changed).
   */
  SPECULATION_MODE_UNSPECIFIED: 'SPECULATION_MODE_UNSPECIFIED',
  /**
   * The server picks, per request and per step: a compatible draft model, n-gram prompt lookup, suffix
   * drafting (with a session_id) or none, whichever is expected fastest from measured acceptance and
   * costs. The request's own evidence counts: model-free drafters are replayed over the prompt's last
   * tokens before the first one (a retried request starts on the drafter that reproduces it), and
   * scored on what the target commits while another drafts.
   */
  SPECULATION_MODE_AUTO: 'SPECULATION_MODE_AUTO',
  /**
   * Plain decoding: one target pass per generated token.
   */
  SPECULATION_MODE_OFF: 'SPECULATION_MODE_OFF',
  /**
   * A draft model proposes tokens that the target verifies. INVALID_ARGUMENT when no compatible draft
   * model is loaded.
   */
  SPECULATION_MODE_DRAFT_MODEL: 'SPECULATION_MODE_DRAFT_MODEL',
  /**
   * Model-free drafting: continuations of earlier occurrences of the last n tokens in the prompt and
   * output (prompt lookup decoding). Cheap, and strong on code edits that repeat their input.
   */
  SPECULATION_MODE_NGRAM: 'SPECULATION_MODE_NGRAM',
  /**
   * Model-free cross-request drafting: continuations of the last n tokens in earlier requests of the
   * same session_id (their prompts and outputs). Strong on retried requests and code an earlier request
   * sent or wrote. INVALID_ARGUMENT without a session_id, or when the server disabled it
   * (speculation.suffix.maxTokens = 0). AUTO includes it for requests with a session_id.
   */
  SPECULATION_MODE_SUFFIX: 'SPECULATION_MODE_SUFFIX',
} as const;

/**
 * How a request is sped up. Whatever the mode, output at temperature 0 is token-identical to plain
 * decoding: speculation only changes how fast the target's own choices are produced.
 */
export type SpeculationMode =
  /**
   * Unset: the server's configured default (`speculation.defaultMode`, itself AUTO unless changed).
   */
  | 'SPECULATION_MODE_UNSPECIFIED'
  | 0
  /**
   * The server picks, per request and per step: a compatible draft model, n-gram prompt lookup, suffix
   * drafting (with a session_id) or none, whichever is expected fastest from measured acceptance and
   * costs. The request's own evidence counts: model-free drafters are replayed over the prompt's last
   * tokens before the first one (a retried request starts on the drafter that reproduces it), and
   * scored on what the target commits while another drafts.
   */
  | 'SPECULATION_MODE_AUTO'
  | 1
  /**
   * Plain decoding: one target pass per generated token.
   */
  | 'SPECULATION_MODE_OFF'
  | 2
  /**
   * A draft model proposes tokens that the target verifies. INVALID_ARGUMENT when no compatible draft
   * model is loaded.
   */
  | 'SPECULATION_MODE_DRAFT_MODEL'
  | 3
  /**
   * Model-free drafting: continuations of earlier occurrences of the last n tokens in the prompt and
   * output (prompt lookup decoding). Cheap, and strong on code edits that repeat their input.
   */
  | 'SPECULATION_MODE_NGRAM'
  | 4
  /**
   * Model-free cross-request drafting: continuations of the last n tokens in earlier requests of the
   * same session_id (their prompts and outputs). Strong on retried requests and code an earlier request
   * sent or wrote. INVALID_ARGUMENT without a session_id, or when the server disabled it
   * (speculation.suffix.maxTokens = 0). AUTO includes it for requests with a session_id.
   */
  | 'SPECULATION_MODE_SUFFIX'
  | 5

/**
 * How a request is sped up. Whatever the mode, output at temperature 0 is token-identical to plain
 * decoding: speculation only changes how fast the target's own choices are produced.
 */
export type SpeculationMode__Output = typeof SpeculationMode[keyof typeof SpeculationMode]
