// Original file: proto/tiercel/v1/inference.proto

import type { ModelInfo as _tiercel_v1_ModelInfo, ModelInfo__Output as _tiercel_v1_ModelInfo__Output } from '../../tiercel/v1/ModelInfo.js';

/**
 * The result of ListModels.
 */
export interface ListModelsResponse {
  /**
   * The target first, then the drafts in configuration order (refused ones last).
   */
  'models'?: (_tiercel_v1_ModelInfo)[];
}

/**
 * The result of ListModels.
 */
export interface ListModelsResponse__Output {
  /**
   * The target first, then the drafts in configuration order (refused ones last).
   */
  'models': (_tiercel_v1_ModelInfo__Output)[];
}
