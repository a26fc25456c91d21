/**
 * The one schema for tiercel's configuration: validated once at the edge (loadConfig) and also the
 * static `Config` type everything else receives. Every object is `.strict()`: an unknown key is an
 * error naming the key, never silently ignored.
 */
import { z } from "zod";
import {
    defaultContextSize,
    defaultDraftModelIds,
    defaultDrainTimeoutMs,
    defaultGrpcHost,
    defaultGatewayMaxBodyBytes,
    defaultGatewayRateLimitBurst,
    defaultHostCacheBytes,
    defaultHostCacheMinTokens,
    defaultSpendStateFile,
    defaultGrpcPort,
    defaultHttpPort,
    defaultMetricsPort,
    defaultMaxDraftTokens,
    defaultMaxQueue,
    defaultMaxTokens,
    defaultMinDraftConfidence,
    defaultNgramMaxN,
    defaultSuffixKeyN,
    defaultSuffixPoolMaxTokens,
    defaultNgramMinN,
    defaultSpecStateFile,
    defaultSequences,
    defaultTargetModelId,
    minAuthTokenLength,
} from "./defaults.js";

/** A model: by manifest id, or by explicit GGUF path. */
const modelRefSchema = z
    .object({
        /** Model id, used in requests and metrics. Looked up in the manifest when `path` is absent. */
        id: z.string().min(1),
        /** GGUF file path, relative to the config file. Defaults to the manifest entry's file. */
        path: z.string().min(1).optional(),
        /** Expected SHA-256 of the file. Defaults to the manifest entry's sha256 (no check for explicit paths). */
        sha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits")
            .optional(),
    })
    .strict();

/** A TCP port; 0 lets the OS pick a free one (tests). */
const portSchema = z.number().int().min(0).max(65535);

export const speculationModeSchema = z.enum(["auto", "off", "draft_model", "ngram", "suffix"]);
export type SpeculationMode = z.infer<typeof speculationModeSchema>;

export const configSchema = z
    .object({
        models: z
            .object({
                /** Manifest of bundled models, relative to the config file. Defaults to the project's models/manifest.json. */
                manifest: z.string().min(1).optional(),
                /** The target model. Defaults to the bundled `tiercel-code-target`. */
                target: modelRefSchema.default({ id: defaultTargetModelId }),
                /** Draft models; incompatible ones are refused at load with a report. Defaults to the bundled draft. */
                drafts: z.array(modelRefSchema).default(defaultDraftModelIds.map((id) => ({ id }))),
            })
            .strict()
            .prefault({}),
        engine: z
            .object({
                /**
                 * CPU threads per context. Defaults to 1 for targets under 256 MiB of weights (llama.cpp's
                 * thread barrier costs more than a small model's matmuls; src/engine/defaultThreads.ts has
                 * the measurement), else the physical core count (node-llama-cpp's own default
                 * oversubscribes).
                 */
                threads: z.number().int().min(1).optional(),
                /** GPU backend. Defaults to `"auto"` (CUDA on CUDA hosts, CPU elsewhere); `false` forces CPU. */
                gpu: z.union([z.enum(["auto", "cuda", "vulkan", "metal"]), z.literal(false)]).default("auto"),
                /** Layers offloaded to the GPU. Defaults to `"auto"` (as many as fit). */
                gpuLayers: z.union([z.literal("auto"), z.number().int().min(0)]).default("auto"),
                /** Tokens per sequence (prompt + output). Defaults to 2048. */
                contextSize: z.number().int().min(64).default(defaultContextSize),
                /** Concurrent requests (context sequences). Defaults to 4. */
                sequences: z.number().int().min(1).max(256).default(defaultSequences),
                /** Requests that may wait for a free sequence. Defaults to 64; 0 refuses when all are busy. */
                maxQueue: z.number().int().min(0).default(defaultMaxQueue),
                /**
                 * How the target's native batches are filled when more is queued than fits
                 * (src/engine/stepsFirstStrategy.ts). `"steps-first"` (the default): running requests'
                 * decoding steps whole, then prompt passes with the fewest tokens left first, with at least a
                 * quarter of every batch, so prompts that arrive together finish one after another and their
                 * requests start generating in turn. `"even"`: node-llama-cpp's default, an equal share of
                 * every batch for each queued pass, so prompts arriving together all finish at the end.
                 */
                batchOrder: z.enum(["steps-first", "even"]).default("steps-first"),
                /**
                 * Reuse the KV state of the longest cached prompt prefix among idle sequences (target and
                 * drafts), evaluating only the new suffix. Defaults to `true`.
                 */
                prefixReuse: z.boolean().default(true),
                /**
                 * Conversations whose sequence another takes are saved to host memory and loaded back when
                 * they return (src/engine/HostKvCache.ts): with more sessions than sequences, a returning
                 * turn loads its KV cache instead of evaluating its whole conversation again. Needs
                 * `prefixReuse`.
                 */
                hostCache: z
                    .object({
                        /**
                         * Bytes of saved caches kept at most, least recently used evicted first; 0 turns the
                         * cache off. Defaults to 8 GiB (llama.cpp's server's `--cache-ram` default).
                         */
                        maxBytes: z.number().int().min(0).default(defaultHostCacheBytes),
                        /**
                         * Directory for the cache's files (a private directory is made in it and removed at
                         * shutdown). Defaults to the OS temporary directory, whose files stay in the page
                         * cache while memory allows; a tmpfs such as `/dev/shm` keeps them in RAM.
                         */
                        dir: z.string().min(1).optional(),
                        /** Shortest conversation saved, and least tokens a load must gain. Defaults to 256. */
                        minTokens: z.number().int().min(1).default(defaultHostCacheMinTokens),
                    })
                    .strict()
                    .prefault({}),
                /**
                 * Under a grammar (tools, response_format), tokens each position lists before falling back
                 * to the full probability map where the list does not decide the constrained choice
                 * (src/engine/TargetChoice.ts). Defaults to `"auto"`: 256 for vocabularies over 32,768
                 * tokens, whose full map is what costs (Qwen2.5's 151,936: 450–700 ms a position on a CPU
                 * against 13–18 ms for the top 256), else 0 (always the full map: cheap for a small
                 * vocabulary, and a list would send more positions to a second evaluation).
                 */
                grammarTopK: z
                    .union([z.literal("auto"), z.number().int().min(0).max(65_536)])
                    .default("auto"),
                /**
                 * Dispatch a plain decoding step's target pass before the bookkeeping of the step before it
                 * (recording its costs and acceptance, AUTO's counterfactual scoring, handing its chunk to the
                 * consumer: over gRPC, the handler's write), which then runs while the pass decodes, whenever
                 * nothing that bookkeeping could decide would change the pass (src/engine/generate.ts,
                 * "Overlap"). Output and AUTO's decisions are the same either way. Defaults to `"auto"`: on
                 * when the target's layers are on a GPU, where the host's cores are free while it decodes;
                 * off on a CPU, where that work competes with the decode for the cores: on a 2-vCPU EPYC
                 * (bundled pair) over gRPC it read 0.99–1.04× the tokens/s (`npm run bench:overlap`, four
                 * runs) but made each decode 20–90 µs slower (`npm run bench:step -- --overlap`), in
                 * process 0.92–0.94× the tokens/s (docs/bench.md "Overlap").
                 */
                overlapSteps: z.union([z.literal("auto"), z.boolean()]).default("auto"),
            })
            .strict()
            .prefault({}),
        generation: z
            .object({
                /** Output cap when a request sets none. Defaults to 256. */
                defaultMaxTokens: z.number().int().min(1).default(defaultMaxTokens),
            })
            .strict()
            .prefault({}),
        speculation: z
            .object({
                /** Mode for requests that do not choose one. Defaults to `"auto"`. */
                defaultMode: speculationModeSchema.default("auto"),
                /** Upper bound on drafted tokens per step. Defaults to 8. */
                maxDraftTokens: z.number().int().min(1).max(64).default(defaultMaxDraftTokens),
                /** Draft models stop drafting below this top-token probability. Defaults to 0.2. */
                minDraftConfidence: z.number().min(0).max(1).default(defaultMinDraftConfidence),
                /**
                 * File where AUTO's learned acceptance and costs persist across restarts, relative to the
                 * config file; `null` keeps them in memory only. Defaults to `.tiercel/spec-state.json`.
                 */
                stateFile: z.string().min(1).nullable().default(defaultSpecStateFile),
                /**
                 * Use drafts whose tokenizer is incompatible with the target's through text (detokenize,
                 * re-tokenize; output stays exact); `false` refuses them at load. Defaults to `true`.
                 */
                translateIncompatibleDrafts: z.boolean().default(true),
                ngram: z
                    .object({
                        /** Shortest n-gram matched. Defaults to 2. */
                        minN: z.number().int().min(1).max(16).default(defaultNgramMinN),
                        /** Longest n-gram matched. Defaults to 4. */
                        maxN: z.number().int().min(1).max(16).default(defaultNgramMaxN),
                    })
                    .strict()
                    .refine((n) => n.minN <= n.maxN, { message: "ngram.minN must be ≤ ngram.maxN" })
                    .prefault({}),
                /**
                 * Cross-request (suffix) drafting: continuations from earlier requests of the same
                 * session (`session_id`), never across sessions.
                 */
                suffix: z
                    .object({
                        /**
                         * Indexed tokens kept over all sessions, least recently used evicted beyond it;
                         * 0 turns the suffix drafter off. Defaults to 1000000.
                         */
                        maxTokens: z.number().int().min(0).default(defaultSuffixPoolMaxTokens),
                        /** Length of the n-grams looked up. Defaults to 4. */
                        keyN: z.number().int().min(2).max(32).default(defaultSuffixKeyN),
                    })
                    .strict()
                    .prefault({}),
            })
            .strict()
            .prefault({}),
        server: z
            .object({
                /** Interface the gRPC and metrics servers bind to. Defaults to `"127.0.0.1"` (loopback only). */
                host: z.string().min(1).default(defaultGrpcHost),
                /** gRPC port; 0 picks a free one. Defaults to 50051. */
                grpcPort: portSchema.default(defaultGrpcPort),
                /** Port of the agent gateway (HTTP: OpenAI and Anthropic APIs); 0 picks a free one. Defaults to 8080. */
                httpPort: portSchema.default(defaultHttpPort),
                /** Port of the Prometheus `/metrics` endpoint; 0 picks a free one. Defaults to 9464. */
                metricsPort: portSchema.default(defaultMetricsPort),
                /**
                 * How long shutdown waits for in-flight requests before cutting them: the gateway's HTTP answers
                 * first, then the gRPC calls (so up to twice this in all). Defaults to 10000 ms.
                 */
                drainTimeoutMs: z.number().int().min(0).default(defaultDrainTimeoutMs),
                /**
                 * Bearer token every Inference call must carry (`authorization: Bearer <token>`); health and
                 * reflection stay open. Defaults to none (no auth). Prefer the TIERCEL_AUTH_TOKEN environment
                 * variable to writing the secret into a file.
                 */
                authToken: z
                    .string()
                    .min(
                        minAuthTokenLength,
                        `must be at least ${minAuthTokenLength} characters (try \`openssl rand -hex 32\`)`,
                    )
                    .optional(),
                /**
                 * Bearer token every `/metrics` scrape must carry (`authorization: Bearer <token>`). The
                 * endpoint is plain HTTP: keep `host` on loopback or a private network either way. Defaults to
                 * none (open). Prefer the TIERCEL_METRICS_AUTH_TOKEN environment variable.
                 */
                metricsAuthToken: z
                    .string()
                    .min(
                        minAuthTokenLength,
                        `must be at least ${minAuthTokenLength} characters (try \`openssl rand -hex 32\`)`,
                    )
                    .optional(),
                /** TLS certificate chain and private key (PEM files, relative to the config file). Defaults to none (plaintext). */
                tls: z
                    .object({
                        /** PEM certificate chain. */
                        certPath: z.string().min(1),
                        /** PEM private key. */
                        keyPath: z.string().min(1),
                    })
                    .strict()
                    .optional(),
            })
            .strict()
            .prefault({}),
        /** The agent gateway (src/gateway): OpenAI- and Anthropic-compatible HTTP over the router. */
        gateway: z
            .object({
                /**
                 * Keys callers must present (`Authorization: Bearer` or `x-api-key`). Required when
                 * `server.host` is not loopback. Defaults to none. Prefer TIERCEL_GATEWAY_KEYS (comma-separated).
                 */
                keys: z
                    .array(
                        z
                            .string()
                            .min(
                                minAuthTokenLength,
                                `must be at least ${minAuthTokenLength} characters (try \`openssl rand -hex 32\`)`,
                            ),
                    )
                    .default([]),
                /**
                 * Names callers may send as `model`, mapped to "auto", a tier or a configured model (e.g.
                 * `{"claude-opus-5-5": "auto", "claude-haiku-5-5": "local"}`). A name ending in `*` is a
                 * prefix pattern for the dated ids agents send (`{"claude-*": "auto", "claude-haiku-*":
                 * "local"}`); an exact name wins, then the longest pattern. Defaults to none.
                 */
                models: z.record(z.string().min(1), z.string().min(1)).default({}),
                /** Largest accepted request body in bytes (larger: 413). Defaults to 32 MiB. */
                maxBodyBytes: z.number().int().min(1024).default(defaultGatewayMaxBodyBytes),
                /**
                 * A request-rate limit for each gateway key on its own (a token bucket per key; without keys,
                 * one bucket for every caller). Over it: 429 in the protocol's shape with `retry-after`.
                 * Defaults to none (no limit).
                 */
                rateLimit: z
                    .object({
                        /** Sustained requests per minute per key (the bucket's refill rate). */
                        requestsPerMinute: z.number().positive(),
                        /** Requests a key may send at once above that rate (the bucket's size). Defaults to 10. */
                        burst: z.number().int().min(1).default(defaultGatewayRateLimitBurst),
                    })
                    .strict()
                    .optional(),
                /**
                 * A daily spend limit for each gateway key on its own: the router's price-table cost of the
                 * key's answers (`gateway.router` prices) per UTC day. Over it: 429 in the protocol's shape
                 * with `retry-after` until UTC midnight. Defaults to none (no limit).
                 */
                spendLimit: z
                    .object({
                        /** US dollars each key may spend per UTC day. */
                        usdPerDay: z.number().positive(),
                        /**
                         * JSON file holding each key's spend today (relative to the config file's directory),
                         * read at start and rewritten a second after answers are charged, so a restart keeps
                         * the day's spend; null keeps it in memory only. Defaults to `.tiercel/spend.json`.
                         */
                        stateFile: z.string().min(1).nullable().default(defaultSpendStateFile),
                    })
                    .strict()
                    .optional(),
                /**
                 * The router's configuration (README "Router"; validated by its own schema when the gateway
                 * starts). Defaults to the default tiering: this server's engine as tier `local`, plus hosted
                 * tiers when ANTHROPIC_API_KEY / OPENAI_API_KEY are set (src/gateway/defaultRouterConfig.ts).
                 */
                router: z.record(z.string(), z.unknown()).optional(),
            })
            .strict()
            .prefault({}),
    })
    .strict();

/** The validated, frozen configuration passed down from the composition root. */
export type Config = z.infer<typeof configSchema>;
export type ModelRef = z.infer<typeof modelRefSchema>;
/** What a config file may contain (everything optional). */
export type ConfigInput = z.input<typeof configSchema>;
