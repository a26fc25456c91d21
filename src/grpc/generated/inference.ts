import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChatMessage as _tiercel_v1_ChatMessage, ChatMessage__Output as _tiercel_v1_ChatMessage__Output } from './tiercel/v1/ChatMessage.js';
import type { CompatibilityReason as _tiercel_v1_CompatibilityReason, CompatibilityReason__Output as _tiercel_v1_CompatibilityReason__Output } from './tiercel/v1/CompatibilityReason.js';
import type { CompatibilityReport as _tiercel_v1_CompatibilityReport, CompatibilityReport__Output as _tiercel_v1_CompatibilityReport__Output } from './tiercel/v1/CompatibilityReport.js';
import type { CompatibilityWarning as _tiercel_v1_CompatibilityWarning, CompatibilityWarning__Output as _tiercel_v1_CompatibilityWarning__Output } from './tiercel/v1/CompatibilityWarning.js';
import type { DrafterSwitch as _tiercel_v1_DrafterSwitch, DrafterSwitch__Output as _tiercel_v1_DrafterSwitch__Output } from './tiercel/v1/DrafterSwitch.js';
import type { GenerateChunk as _tiercel_v1_GenerateChunk, GenerateChunk__Output as _tiercel_v1_GenerateChunk__Output } from './tiercel/v1/GenerateChunk.js';
import type { GenerateRequest as _tiercel_v1_GenerateRequest, GenerateRequest__Output as _tiercel_v1_GenerateRequest__Output } from './tiercel/v1/GenerateRequest.js';
import type { GenerateResponse as _tiercel_v1_GenerateResponse, GenerateResponse__Output as _tiercel_v1_GenerateResponse__Output } from './tiercel/v1/GenerateResponse.js';
import type { GenerationStats as _tiercel_v1_GenerationStats, GenerationStats__Output as _tiercel_v1_GenerationStats__Output } from './tiercel/v1/GenerationStats.js';
import type { InferenceClient as _tiercel_v1_InferenceClient, InferenceDefinition as _tiercel_v1_InferenceDefinition } from './tiercel/v1/Inference.js';
import type { InfillContext as _tiercel_v1_InfillContext, InfillContext__Output as _tiercel_v1_InfillContext__Output } from './tiercel/v1/InfillContext.js';
import type { ListModelsRequest as _tiercel_v1_ListModelsRequest, ListModelsRequest__Output as _tiercel_v1_ListModelsRequest__Output } from './tiercel/v1/ListModelsRequest.js';
import type { ListModelsResponse as _tiercel_v1_ListModelsResponse, ListModelsResponse__Output as _tiercel_v1_ListModelsResponse__Output } from './tiercel/v1/ListModelsResponse.js';
import type { ModelInfo as _tiercel_v1_ModelInfo, ModelInfo__Output as _tiercel_v1_ModelInfo__Output } from './tiercel/v1/ModelInfo.js';
import type { ResponseFormat as _tiercel_v1_ResponseFormat, ResponseFormat__Output as _tiercel_v1_ResponseFormat__Output } from './tiercel/v1/ResponseFormat.js';
import type { SpeculationOptions as _tiercel_v1_SpeculationOptions, SpeculationOptions__Output as _tiercel_v1_SpeculationOptions__Output } from './tiercel/v1/SpeculationOptions.js';
import type { TokenizeRequest as _tiercel_v1_TokenizeRequest, TokenizeRequest__Output as _tiercel_v1_TokenizeRequest__Output } from './tiercel/v1/TokenizeRequest.js';
import type { TokenizeResponse as _tiercel_v1_TokenizeResponse, TokenizeResponse__Output as _tiercel_v1_TokenizeResponse__Output } from './tiercel/v1/TokenizeResponse.js';
import type { Tool as _tiercel_v1_Tool, Tool__Output as _tiercel_v1_Tool__Output } from './tiercel/v1/Tool.js';
import type { ToolCall as _tiercel_v1_ToolCall, ToolCall__Output as _tiercel_v1_ToolCall__Output } from './tiercel/v1/ToolCall.js';
import type { ToolCallDelta as _tiercel_v1_ToolCallDelta, ToolCallDelta__Output as _tiercel_v1_ToolCallDelta__Output } from './tiercel/v1/ToolCallDelta.js';
import type { Usage as _tiercel_v1_Usage, Usage__Output as _tiercel_v1_Usage__Output } from './tiercel/v1/Usage.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tiercel: {
    v1: {
      ChatMessage: MessageTypeDefinition<_tiercel_v1_ChatMessage, _tiercel_v1_ChatMessage__Output>
      CompatibilityReason: MessageTypeDefinition<_tiercel_v1_CompatibilityReason, _tiercel_v1_CompatibilityReason__Output>
      CompatibilityReport: MessageTypeDefinition<_tiercel_v1_CompatibilityReport, _tiercel_v1_CompatibilityReport__Output>
      CompatibilityVerdict: EnumTypeDefinition
      CompatibilityWarning: MessageTypeDefinition<_tiercel_v1_CompatibilityWarning, _tiercel_v1_CompatibilityWarning__Output>
      DraftMode: EnumTypeDefinition
      DrafterSwitch: MessageTypeDefinition<_tiercel_v1_DrafterSwitch, _tiercel_v1_DrafterSwitch__Output>
      FinishReason: EnumTypeDefinition
      GenerateChunk: MessageTypeDefinition<_tiercel_v1_GenerateChunk, _tiercel_v1_GenerateChunk__Output>
      GenerateRequest: MessageTypeDefinition<_tiercel_v1_GenerateRequest, _tiercel_v1_GenerateRequest__Output>
      GenerateResponse: MessageTypeDefinition<_tiercel_v1_GenerateResponse, _tiercel_v1_GenerateResponse__Output>
      GenerationStats: MessageTypeDefinition<_tiercel_v1_GenerationStats, _tiercel_v1_GenerationStats__Output>
      /**
       * The local inference service. Standard `grpc.health.v1.Health` (service name "tiercel.v1.Inference"
       * or "") and server reflection run beside it on the same port.
       */
      Inference: SubtypeConstructor<typeof grpc.Client, _tiercel_v1_InferenceClient> & { service: _tiercel_v1_InferenceDefinition }
      InfillContext: MessageTypeDefinition<_tiercel_v1_InfillContext, _tiercel_v1_InfillContext__Output>
      ListModelsRequest: MessageTypeDefinition<_tiercel_v1_ListModelsRequest, _tiercel_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_tiercel_v1_ListModelsResponse, _tiercel_v1_ListModelsResponse__Output>
      ModelInfo: MessageTypeDefinition<_tiercel_v1_ModelInfo, _tiercel_v1_ModelInfo__Output>
      ModelRole: EnumTypeDefinition
      ResponseFormat: MessageTypeDefinition<_tiercel_v1_ResponseFormat, _tiercel_v1_ResponseFormat__Output>
      SpeculationMode: EnumTypeDefinition
      SpeculationOptions: MessageTypeDefinition<_tiercel_v1_SpeculationOptions, _tiercel_v1_SpeculationOptions__Output>
      TokenizeRequest: MessageTypeDefinition<_tiercel_v1_TokenizeRequest, _tiercel_v1_TokenizeRequest__Output>
      TokenizeResponse: MessageTypeDefinition<_tiercel_v1_TokenizeResponse, _tiercel_v1_TokenizeResponse__Output>
      Tool: MessageTypeDefinition<_tiercel_v1_Tool, _tiercel_v1_Tool__Output>
      ToolCall: MessageTypeDefinition<_tiercel_v1_ToolCall, _tiercel_v1_ToolCall__Output>
      ToolCallDelta: MessageTypeDefinition<_tiercel_v1_ToolCallDelta, _tiercel_v1_ToolCallDelta__Output>
      Usage: MessageTypeDefinition<_tiercel_v1_Usage, _tiercel_v1_Usage__Output>
    }
  }
}

