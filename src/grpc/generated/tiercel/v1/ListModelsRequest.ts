// Original file: proto/tiercel/v1/inference.proto


/**
 * ListModels takes no parameters.
 */
export interface ListModelsRequest {
}

/**
 * ListModels takes no parameters.
 */
export interface ListModelsRequest__Output {
}
