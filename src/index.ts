/**
 * tiercel as a library: embed the server (createApp), or the engine alone (LocalEngine), or build a gRPC
 * client from the same proto and generated types the server uses.
 */
export { createApp, type App, type AppAddresses, type AppOptions } from "./app.js";
export { loadConfig, parseConfig, projectRoot, type LoadedConfig } from "./config/loadConfig.js";
export type { Config, ConfigInput, ModelRef, SpeculationMode } from "./config/schema.js";
export { LocalEngine, type LocalEngineOptions, type ModelInfo } from "./engine/LocalEngine.js";
export { renderChat, type RenderedChat } from "./engine/renderChat.js";
export { chatRoles } from "./engine/types.js";
export type {
    ChatMessage,
    ChatRole,
    FinishReason,
    GenerateChunk,
    GenerateRequest,
    GenerationStats,
    SamplingOptions,
    SpeculationOptions,
    ToolCall as EngineToolCall,
    ToolCallDelta,
    ToolChoice as EngineToolChoice,
    ToolDefinition as EngineToolDefinition,
} from "./engine/types.js";
export { ErrorCode } from "./errors/codes.js";
export {
    AbortedError,
    CapacityError,
    ConfigError,
    InvalidArgumentError,
    isServiceError,
    ModelError,
    ServiceError,
    type ServiceErrorOptions,
} from "./errors/ServiceError.js";
export { localEngineBackend, type InferenceBackend } from "./grpc/InferenceBackend.js";
export {
    inferenceProtoFile,
    inferenceServiceName,
    loadInferenceProto,
    protoLoaderOptions,
    protoRoot,
    type InferenceProto,
} from "./grpc/loadProto.js";
export { errorCodeMetadataKey, retryableMetadataKey, toGrpcStatus } from "./grpc/toGrpcStatus.js";
export type { ProtoGrpcType } from "./grpc/generated/inference.js";
export type { InferenceClient } from "./grpc/generated/tiercel/v1/Inference.js";
export type { GenerateChunk__Output as GenerateChunkMessage } from "./grpc/generated/tiercel/v1/GenerateChunk.js";
export type { GenerateRequest as GenerateRequestMessage } from "./grpc/generated/tiercel/v1/GenerateRequest.js";
export type { GenerateResponse__Output as GenerateResponseMessage } from "./grpc/generated/tiercel/v1/GenerateResponse.js";
export { createMetrics, type Metrics } from "./metrics/createMetrics.js";
export { createRegistry, metricsPrefix } from "./metrics/registry.js";
// The in-process router (src/router), its providers (src/providers) and the chat format both speak (src/chat).
export { createRouter, type RouterOptions } from "./router/createRouter.js";
export type { Router, FeedbackReceipt } from "./router/ModelRouter.js";
export type { RouteDecision } from "./router/Decider.js";
export type { TokenCount } from "./router/countInputTokens.js";
export type { TargetHealth } from "./router/BreakerRegistry.js";
export {
    parseRouterConfig,
    routerConfigSchema,
    type RouterConfig,
    type RouterConfigInput,
    type TierConfig,
    type TargetConfig,
    type RuleConfig,
    type PriceConfig,
} from "./router/config.js";
export type {
    AssistantMessage,
    ChatMessage as RouterChatMessage,
    ChatRequest,
    CompletionResult,
    GenerationSignals,
    MessageEndEvent,
    MessageStartEvent,
    NativeAnswer,
    NativeEvent,
    NativeProtocol,
    NativeRequest,
    PromptCompletion,
    ProviderStreamEvent,
    RoutingHints,
    StopReason,
    TextDeltaEvent,
    TextPart,
    ToolCallDeltaEvent,
    ToolCallEndEvent,
    ToolCallPart,
    ToolCallStartEvent,
    ToolChoice,
    ToolDefinition,
    ToolResultPart,
    Usage,
    UserMessage,
} from "./chat/types.js";
export { validateChatRequest } from "./chat/chatRequestSchema.js";
export type {
    AnswerAgreement,
    AttemptOutcome,
    AttemptRecord,
    CascadeRecord,
    ChatResponse,
    HedgeOutcome,
    HedgeRecord,
    MirroredRecord,
    MirrorNote,
    RouteOptions,
    RouterStreamEvent,
    StreamRoute,
    RoutingRecord,
    ShadowRecord,
    VersionShift,
    VersionSignal,
} from "./router/types.js";
export { shadowReport, type ShadowReport, type ShadowTaskRow } from "./router/shadowReport.js";
export { collectStream } from "./router/collectStream.js";
export { RouteFailedError } from "./router/RouteFailedError.js";
export type { ClassifierVerdict, RoutingClassifier } from "./router/RoutingClassifier.js";
export type { RequestFeatures } from "./router/features.js";
export type { BreakerSnapshot, BreakerState, BreakerTrip } from "./router/CircuitBreaker.js";
export type { SessionPin } from "./router/SessionAffinity.js";
export type { Provider, ProviderRequest, ProviderType } from "./providers/Provider.js";
export { ProviderError } from "./providers/ProviderError.js";
export { providerConfigSchema, type ProviderConfig } from "./providers/providerConfig.js";
export { AnthropicProvider, type AnthropicProviderOptions } from "./providers/anthropic/AnthropicProvider.js";
export { OpenAIProvider, type OpenAIProviderOptions } from "./providers/openai/OpenAIProvider.js";
export { LocalProvider, type LocalProviderOptions } from "./providers/local/LocalProvider.js";
export { createRouterMetrics, type RouterMetrics } from "./metrics/createRouterMetrics.js";
