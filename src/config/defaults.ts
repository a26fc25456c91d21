/**
 * Named defaults, each with the reason for its value. The schema (schema.ts) refers to these so
 * that the documented default and the applied default cannot drift apart.
 */

/** The bundled target model (models/manifest.json). */
export const defaultTargetModelId = "tiercel-code-target";
/** The bundled draft model (models/manifest.json). */
export const defaultDraftModelIds = ["tiercel-code-draft"];
/** Tokens per sequence: agents resend long prefixes; the bundled pair was trained at 384 but runs longer. */
export const defaultContextSize = 2048;
/** Concurrent requests per model (one context sequence each); the rest wait in the queue. */
export const defaultSequences = 4;
/** Requests allowed to wait for a sequence before new ones are refused with E_QUEUE_FULL. */
export const defaultMaxQueue = 64;
/** Output cap when a request does not set max_tokens. */
export const defaultMaxTokens = 256;
/** Drafted tokens per verification step (llama.cpp's server uses 16 as its upper bound). */
export const defaultMaxDraftTokens = 8;
/**
 * Stop drafting when the draft's own top-token probability falls below this: a draft that is unsure
 * is usually rejected, and each rejected token still costs a draft step (llama.cpp's `p_min`).
 */
export const defaultMinDraftConfidence = 0.2;
/** Shortest suffix n-gram the prompt-lookup drafter matches (1-grams match everywhere and mostly miss). */
export const defaultNgramMinN = 2;
/** Longest suffix n-gram the prompt-lookup drafter tries first. */
export const defaultNgramMaxN = 4;
/**
 * Tokens the cross-request (suffix) drafter keeps indexed over all sessions, least recently used
 * evicted beyond it: ~1M tokens is a few hundred agent turns of context at ~75 MiB of heap (measured
 * with random tokens, the worst case, in bench/e2e/suffixDrafting.ts).
 */
export const defaultSuffixPoolMaxTokens = 1_000_000;
/** Key length of the suffix drafter's n-grams: shorter keys match boilerplate of unrelated requests. */
export const defaultSuffixKeyN = 4;
/** Sampling defaults applied when temperature > 0 and the request leaves them unset (llama.cpp's). */
export const defaultTopK = 40;
export const defaultTopP = 0.95;
/** Tokens the repeat, presence and frequency penalties look back over (llama.cpp's `repeat_last_n`). */
export const defaultRepeatLastN = 64;
/** gRPC listen address: loopback, so exposing the server on a network is a deliberate choice (`--host 0.0.0.0`). */
export const defaultGrpcHost = "127.0.0.1";
/** gRPC port: the conventional gRPC example port, what clients and tools try first. */
export const defaultGrpcPort = 50051;
/** Prometheus /metrics port: the OpenTelemetry Prometheus exporter's default, free of common services. */
export const defaultMetricsPort = 9464;
/**
 * How long a shutdown lets in-flight requests finish before cancelling them: long enough for a typical
 * completion, short enough for an orchestrator's termination grace period (Kubernetes: 30 s).
 */
export const defaultDrainTimeoutMs = 10_000;
/** Shortest accepted bearer token: 16 characters keeps guessing out of reach (use `openssl rand -hex 32`). */
export const minAuthTokenLength = 16;
/** Where AUTO's learned acceptance and costs persist (relative to the config file's directory). */
export const defaultSpecStateFile = ".tiercel/spec-state.json";
/**
 * Host memory for conversations' KV caches pushed out of every sequence (engine.hostCache): 8 GiB, as
 * llama.cpp's server's `--cache-ram` default. Holds ~1.1 M tokens of the bundled target (7.7 kB a token),
 * ~60 k of an 8 B model with grouped-query attention (~128 kB a token at f16).
 */
export const defaultHostCacheBytes = 8 * 1024 ** 3;
/**
 * Shortest conversation saved to the host cache, and least a restore must gain: below a few hundred tokens
 * evaluating costs little (~0.1 s on a 2-core CPU for the bundled target, a few ms on a GPU).
 */
export const defaultHostCacheMinTokens = 256;
/** How often learned speculation state is written when it changed. */
export const specStateSaveIntervalMs = 30_000;

/**
 * After the drain timeout, how long the cut calls get to send their UNAVAILABLE status and trailer (and
 * clients to read them) before the remaining connections are closed.
 */
export const drainCutGraceMs = 2_000;
/** Agent gateway HTTP port: the usual alternate HTTP port, what OpenAI-compatible local servers document. */
export const defaultHttpPort = 8080;
/**
 * Largest gateway request body: agents resend the whole conversation (Claude Code ~50 kB at start, a long
 * session several MB); 32 MiB bounds a bad client's memory without refusing real sessions.
 */
export const defaultGatewayMaxBodyBytes = 32 * 1024 * 1024;
/**
 * How long the gateway keeps an idle client connection (node:http's 5 s default is shorter than an agent's
 * pause between turns): longer than the clients' own pool idle time (hyper, under Codex CLI, 90 s; undici
 * 4 s or the server's `Keep-Alive` hint), so the client always closes first and never sends a request on
 * a socket the gateway is closing, and a turn after a pause needs no new connection.
 */
export const gatewayKeepAliveTimeoutMs = 120_000;
/** How long a client gets to send a request's headers (node:http's default is 60 s): agents send them at once. */
export const gatewayHeadersTimeoutMs = 20_000;
/**
 * How long a client gets to send a whole request (node:http's default is 300 s): a body at the 32 MiB
 * limit at ~0.5 MB/s; the answer's own duration is not limited by it.
 */
export const gatewayRequestTimeoutMs = 60_000;
/**
 * Requests one gateway key may send at once above its sustained rate (`gateway.rateLimit.burst`): an agent
 * turn sends a few requests together (Claude Code: the main request, count_tokens, a title on its small
 * model), which a limit must not refuse.
 */
export const defaultGatewayRateLimitBurst = 10;
/**
 * Where each gateway key's spend today persists (relative to the config file's directory), so a restart
 * does not give every key a fresh day's budget.
 */
export const defaultSpendStateFile = ".tiercel/spend.json";
/**
 * How long the spend file waits after an answer's cost before it is written: one write per burst of
 * answers, not one per answer; a crash loses at most this much of the day's spend.
 */
export const defaultSpendSaveDebounceMs = 1_000;
