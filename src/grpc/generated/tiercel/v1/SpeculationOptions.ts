// Original file: proto/tiercel/v1/inference.proto

import type { SpeculationMode as _tiercel_v1_SpeculationMode, SpeculationMode__Output as _tiercel_v1_SpeculationMode__Output } from '../../tiercel/v1/SpeculationMode.js';

/**
 * Per-request speculative decoding settings; every field is optional.
 */
export interface SpeculationOptions {
  /**
   * Which drafter runs. Defaults to SPECULATION_MODE_UNSPECIFIED (the server's default mode).
   */
  'mode'?: (_tiercel_v1_SpeculationMode);
  /**
   * Draft model id (see ListModels) for SPECULATION_MODE_DRAFT_MODEL and AUTO. Empty = the first loaded
   * draft. An unknown id is NOT_FOUND; a draft refused for an incompatible tokenizer is FAILED_PRECONDITION.
   */
  'draft_model'?: (string);
  /**
   * Upper bound on tokens drafted per verification step. Unset = the server's
   * `speculation.maxDraftTokens`, which also caps larger values. 0 or less is INVALID_ARGUMENT (it does not
   * mean "default" or "off"): leave it unset for the default, or use SPECULATION_MODE_OFF to not speculate.
   */
  'max_draft_tokens'?: (number);
  '_max_draft_tokens'?: "max_draft_tokens";
}

/**
 * Per-request speculative decoding settings; every field is optional.
 */
export interface SpeculationOptions__Output {
  /**
   * Which drafter runs. Defaults to SPECULATION_MODE_UNSPECIFIED (the server's default mode).
   */
  'mode': (_tiercel_v1_SpeculationMode__Output);
  /**
   * Draft model id (see ListModels) for SPECULATION_MODE_DRAFT_MODEL and AUTO. Empty = the first loaded
   * draft. An unknown id is NOT_FOUND; a draft refused for an incompatible tokenizer is FAILED_PRECONDITION.
   */
  'draft_model': (string);
  /**
   * Upper bound on tokens drafted per verification step. Unset = the server's
   * `speculation.maxDraftTokens`, which also caps larger values. 0 or less is INVALID_ARGUMENT (it does not
   * mean "default" or "off"): leave it unset for the default, or use SPECULATION_MODE_OFF to not speculate.
   */
  'max_draft_tokens'?: (number);
  '_max_draft_tokens'?: "max_draft_tokens";
}
