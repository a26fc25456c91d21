/**
 * The providers' configuration schemas (the `providers` section of the router config): one strict zod
 * object per provider type, discriminated by `type`. API keys never appear in the config: providers
 * name the environment variable that holds them.
 */
import { z } from "zod";

const envNameSchema = z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name such as ANTHROPIC_API_KEY");

/** Anthropic Messages API through @anthropic-ai/sdk. */
const anthropicProviderSchema = z
    .object({
        type: z.literal("anthropic"),
        /** API base URL. Defaults to the SDK's (https://api.anthropic.com; ANTHROPIC_BASE_URL is not read). */
        baseURL: z.url().optional(),
        /** Environment variable holding the API key. Defaults to `"ANTHROPIC_API_KEY"`. */
        apiKeyEnv: envNameSchema.default("ANTHROPIC_API_KEY"),
    })
    .strict();

/** OpenAI through the `openai` SDK: the Responses API, or Chat Completions (also any compatible server). */
const openaiProviderSchema = z
    .object({
        type: z.literal("openai"),
        /** API base URL, `/v1` included. Defaults to the SDK's (https://api.openai.com/v1; OPENAI_BASE_URL is not read). */
        baseURL: z.url().optional(),
        /** Environment variable holding the API key. Defaults to `"OPENAI_API_KEY"`. */
        apiKeyEnv: envNameSchema.default("OPENAI_API_KEY"),
        /**
         * The wire: `"responses"` (`POST /v1/responses`; OpenAI's Codex models are served by it only) or
         * `"chat"` (`POST /v1/chat/completions`; what most OpenAI-compatible servers speak). Defaults to
         * `"chat"`, which every such server takes; set `"responses"` for OpenAI's own API and its Codex
         * models (the gateway's default tiering does).
         */
        api: z.enum(["chat", "responses"]).default("chat"),
    })
    .strict();

/** The local tier: a tiercel gRPC server (proto/tiercel/v1/inference.proto). */
const localProviderSchema = z
    .object({
        type: z.literal("local"),
        /** host:port of the tiercel gRPC server. Defaults to `"127.0.0.1:50051"`. */
        address: z.string().min(1).default("127.0.0.1:50051"),
        /** Environment variable holding the server's bearer token (`server.authToken`). Defaults to none. */
        authTokenEnv: envNameSchema.optional(),
        /** PEM file of the CA that signed the server's TLS certificate. Defaults to none (plaintext). */
        tlsCaPath: z.string().min(1).optional(),
        /**
         * Send requests that offer tools to this server (`true`) or skip it for them (`false`). Defaults to
         * what the server's ListModels says of its target (`tool_calls`: a chat template made for tools).
         */
        toolCalls: z.boolean().optional(),
    })
    .strict();

/** One provider, by `type`. */
export const providerConfigSchema = z.discriminatedUnion("type", [
    anthropicProviderSchema,
    openaiProviderSchema,
    localProviderSchema,
]);

export type ProviderConfig = z.infer<typeof providerConfigSchema>;
