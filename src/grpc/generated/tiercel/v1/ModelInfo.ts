// Original file: proto/tiercel/v1/inference.proto

import type { ModelRole as _tiercel_v1_ModelRole, ModelRole__Output as _tiercel_v1_ModelRole__Output } from '../../tiercel/v1/ModelRole.js';
import type { CompatibilityReport as _tiercel_v1_CompatibilityReport, CompatibilityReport__Output as _tiercel_v1_CompatibilityReport__Output } from '../../tiercel/v1/CompatibilityReport.js';
import type { DraftMode as _tiercel_v1_DraftMode, DraftMode__Output as _tiercel_v1_DraftMode__Output } from '../../tiercel/v1/DraftMode.js';

/**
 * One configured model.
 */
export interface ModelInfo {
  /**
   * The id used in requests (`model`, `speculation.draft_model`) and in metrics labels.
   */
  'id'?: (string);
  /**
   * Target or draft.
   */
  'role'?: (_tiercel_v1_ModelRole);
  /**
   * Tokens in the model's vocabulary.
   */
  'vocab_size'?: (number);
  /**
   * Tokens per sequence (prompt + output); 0 for a draft that was refused and not loaded.
   */
  'context_size'?: (number);
  /**
   * Whether the model is loaded and in use (false for refused drafts).
   */
  'loaded'?: (boolean);
  /**
   * Drafts only: the tokenizer compatibility report against the target.
   */
  'compatibility'?: (_tiercel_v1_CompatibilityReport | null);
  /**
   * Drafts only: how a loaded draft's proposals reach the target (UNSPECIFIED for targets and refused drafts).
   */
  'draft_mode'?: (_tiercel_v1_DraftMode);
  /**
   * How chat `messages` are rendered: the name of node-llama-cpp's chat wrapper for the model's GGUF chat
   * template, a family's own wrapper when one matches the template, "JinjaTemplate" when the template is
   * rendered as it is (e.g. Qwen2.5-Coder's), "ChatML" for a model without a template. Empty for a
   * refused draft.
   */
  'chat_template'?: (string);
  /**
   * Whether the model has fill-in-the-middle tokens in its GGUF metadata: a target that does accepts
   * GenerateRequest.suffix; one that does not answers it with FAILED_PRECONDITION (E_FIM_UNSUPPORTED).
   */
  'fim'?: (boolean);
  /**
   * Whether the model's GGUF chat template renders tool definitions (the model was made for tool calls).
   */
  'tool_calls'?: (boolean);
}

/**
 * One configured model.
 */
export interface ModelInfo__Output {
  /**
   * The id used in requests (`model`, `speculation.draft_model`) and in metrics labels.
   */
  'id': (string);
  /**
   * Target or draft.
   */
  'role': (_tiercel_v1_ModelRole__Output);
  /**
   * Tokens in the model's vocabulary.
   */
  'vocab_size': (number);
  /**
   * Tokens per sequence (prompt + output); 0 for a draft that was refused and not loaded.
   */
  'context_size': (number);
  /**
   * Whether the model is loaded and in use (false for refused drafts).
   */
  'loaded': (boolean);
  /**
   * Drafts only: the tokenizer compatibility report against the target.
   */
  'compatibility': (_tiercel_v1_CompatibilityReport__Output | null);
  /**
   * Drafts only: how a loaded draft's proposals reach the target (UNSPECIFIED for targets and refused drafts).
   */
  'draft_mode': (_tiercel_v1_DraftMode__Output);
  /**
   * How chat `messages` are rendered: the name of node-llama-cpp's chat wrapper for the model's GGUF chat
   * template, a family's own wrapper when one matches the template, "JinjaTemplate" when the template is
   * rendered as it is (e.g. Qwen2.5-Coder's), "ChatML" for a model without a template. Empty for a
   * refused draft.
   */
  'chat_template': (string);
  /**
   * Whether the model has fill-in-the-middle tokens in its GGUF metadata: a target that does accepts
   * GenerateRequest.suffix; one that does not answers it with FAILED_PRECONDITION (E_FIM_UNSUPPORTED).
   */
  'fim': (boolean);
  /**
   * Whether the model's GGUF chat template renders tool definitions (the model was made for tool calls).
   */
  'tool_calls': (boolean);
}
