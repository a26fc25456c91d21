// Original file: proto/tiercel/v1/inference.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GenerateChunk as _tiercel_v1_GenerateChunk, GenerateChunk__Output as _tiercel_v1_GenerateChunk__Output } from '../../tiercel/v1/GenerateChunk.js';
import type { GenerateRequest as _tiercel_v1_GenerateRequest, GenerateRequest__Output as _tiercel_v1_GenerateRequest__Output } from '../../tiercel/v1/GenerateRequest.js';
import type { GenerateResponse as _tiercel_v1_GenerateResponse, GenerateResponse__Output as _tiercel_v1_GenerateResponse__Output } from '../../tiercel/v1/GenerateResponse.js';
import type { ListModelsRequest as _tiercel_v1_ListModelsRequest, ListModelsRequest__Output as _tiercel_v1_ListModelsRequest__Output } from '../../tiercel/v1/ListModelsRequest.js';
import type { ListModelsResponse as _tiercel_v1_ListModelsResponse, ListModelsResponse__Output as _tiercel_v1_ListModelsResponse__Output } from '../../tiercel/v1/ListModelsResponse.js';
import type { TokenizeRequest as _tiercel_v1_TokenizeRequest, TokenizeRequest__Output as _tiercel_v1_TokenizeRequest__Output } from '../../tiercel/v1/TokenizeRequest.js';
import type { TokenizeResponse as _tiercel_v1_TokenizeResponse, TokenizeResponse__Output as _tiercel_v1_TokenizeResponse__Output } from '../../tiercel/v1/TokenizeResponse.js';

/**
 * The local inference service. Standard `grpc.health.v1.Health` (service name "tiercel.v1.Inference"
 * or "") and server reflection run beside it on the same port.
 */
export interface InferenceClient extends grpc.Client {
  /**
   * Generates a completion and returns it whole once generation has finished.
   */
  Generate(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  Generate(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  Generate(argument: _tiercel_v1_GenerateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  Generate(argument: _tiercel_v1_GenerateRequest, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Generates a completion and returns it whole once generation has finished.
   */
  generate(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  generate(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  generate(argument: _tiercel_v1_GenerateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  generate(argument: _tiercel_v1_GenerateRequest, callback: grpc.requestCallback<_tiercel_v1_GenerateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Generates a completion and streams it as it is produced. Every chunk carries the text and token
   * ids generated since the previous chunk; the last chunk also carries finish_reason, usage and stats.
   * Concatenating the chunks gives exactly what Generate returns for the same request at temperature 0.
   */
  GenerateStream(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tiercel_v1_GenerateChunk__Output>;
  GenerateStream(argument: _tiercel_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tiercel_v1_GenerateChunk__Output>;
  /**
   * Generates a completion and streams it as it is produced. Every chunk carries the text and token
   * ids generated since the previous chunk; the last chunk also carries finish_reason, usage and stats.
   * Concatenating the chunks gives exactly what Generate returns for the same request at temperature 0.
   */
  generateStream(argument: _tiercel_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tiercel_v1_GenerateChunk__Output>;
  generateStream(argument: _tiercel_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tiercel_v1_GenerateChunk__Output>;
  
  /**
   * Lists the target model and every configured draft model, with each draft's tokenizer
   * compatibility report against the target (refused drafts included, with loaded = false).
   */
  ListModels(argument: _tiercel_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tiercel_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tiercel_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _tiercel_v1_ListModelsRequest, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists the target model and every configured draft model, with each draft's tokenizer
   * compatibility report against the target (refused drafts included, with loaded = false).
   */
  listModels(argument: _tiercel_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tiercel_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tiercel_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _tiercel_v1_ListModelsRequest, callback: grpc.requestCallback<_tiercel_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Tokenizes text (or chat messages, rendered as Generate renders them) with the target model's
   * tokenizer, exactly as Generate would tokenize its prompt (BOS included when the model wants it).
   */
  Tokenize(argument: _tiercel_v1_TokenizeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  Tokenize(argument: _tiercel_v1_TokenizeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  Tokenize(argument: _tiercel_v1_TokenizeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  Tokenize(argument: _tiercel_v1_TokenizeRequest, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Tokenizes text (or chat messages, rendered as Generate renders them) with the target model's
   * tokenizer, exactly as Generate would tokenize its prompt (BOS included when the model wants it).
   */
  tokenize(argument: _tiercel_v1_TokenizeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  tokenize(argument: _tiercel_v1_TokenizeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  tokenize(argument: _tiercel_v1_TokenizeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  tokenize(argument: _tiercel_v1_TokenizeRequest, callback: grpc.requestCallback<_tiercel_v1_TokenizeResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The local inference service. Standard `grpc.health.v1.Health` (service name "tiercel.v1.Inference"
 * or "") and server reflection run beside it on the same port.
 */
export interface InferenceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Generates a completion and returns it whole once generation has finished.
   */
  Generate: grpc.handleUnaryCall<_tiercel_v1_GenerateRequest__Output, _tiercel_v1_GenerateResponse>;
  
  /**
   * Generates a completion and streams it as it is produced. Every chunk carries the text and token
   * ids generated since the previous chunk; the last chunk also carries finish_reason, usage and stats.
   * Concatenating the chunks gives exactly what Generate returns for the same request at temperature 0.
   */
  GenerateStream: grpc.handleServerStreamingCall<_tiercel_v1_GenerateRequest__Output, _tiercel_v1_GenerateChunk>;
  
  /**
   * Lists the target model and every configured draft model, with each draft's tokenizer
   * compatibility report against the target (refused drafts included, with loaded = false).
   */
  ListModels: grpc.handleUnaryCall<_tiercel_v1_ListModelsRequest__Output, _tiercel_v1_ListModelsResponse>;
  
  /**
   * Tokenizes text (or chat messages, rendered as Generate renders them) with the target model's
   * tokenizer, exactly as Generate would tokenize its prompt (BOS included when the model wants it).
   */
  Tokenize: grpc.handleUnaryCall<_tiercel_v1_TokenizeRequest__Output, _tiercel_v1_TokenizeResponse>;
  
}

export interface InferenceDefinition extends grpc.ServiceDefinition {
  Generate: MethodDefinition<_tiercel_v1_GenerateRequest, _tiercel_v1_GenerateResponse, _tiercel_v1_GenerateRequest__Output, _tiercel_v1_GenerateResponse__Output>
  GenerateStream: MethodDefinition<_tiercel_v1_GenerateRequest, _tiercel_v1_GenerateChunk, _tiercel_v1_GenerateRequest__Output, _tiercel_v1_GenerateChunk__Output>
  ListModels: MethodDefinition<_tiercel_v1_ListModelsRequest, _tiercel_v1_ListModelsResponse, _tiercel_v1_ListModelsRequest__Output, _tiercel_v1_ListModelsResponse__Output>
  Tokenize: MethodDefinition<_tiercel_v1_TokenizeRequest, _tiercel_v1_TokenizeResponse, _tiercel_v1_TokenizeRequest__Output, _tiercel_v1_TokenizeResponse__Output>
}
