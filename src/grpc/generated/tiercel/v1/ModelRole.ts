// Original file: proto/tiercel/v1/inference.proto

/**
 * What a model is for.
 */
export const ModelRole = {
  /**
   * Never sent.
   */
  MODEL_ROLE_UNSPECIFIED: 'MODEL_ROLE_UNSPECIFIED',
  /**
   * The model whose output is returned.
   */
  MODEL_ROLE_TARGET: 'MODEL_ROLE_TARGET',
  /**
   * A small model that proposes tokens for the target to verify.
   */
  MODEL_ROLE_DRAFT: 'MODEL_ROLE_DRAFT',
} as const;

/**
 * What a model is for.
 */
export type ModelRole =
  /**
   * Never sent.
   */
  | 'MODEL_ROLE_UNSPECIFIED'
  | 0
  /**
   * The model whose output is returned.
   */
  | 'MODEL_ROLE_TARGET'
  | 1
  /**
   * A small model that proposes tokens for the target to verify.
   */
  | 'MODEL_ROLE_DRAFT'
  | 2

/**
 * What a model is for.
 */
export type ModelRole__Output = typeof ModelRole[keyof typeof ModelRole]
