/**
 * `createRouter(config)`: validates the config (router/config.ts), builds the providers it names
 * (official SDKs for Anthropic and OpenAI, a gRPC client for the local tier) and returns the router.
 */
import { setTimeout as delay } from "node:timers/promises";
import { Registry } from "prom-client";
import { createProvider, providerSecrets } from "../providers/createProvider.js";
import type { Provider } from "../providers/Provider.js";
import { createLogger, type Logger } from "../util/logger.js";
import { ConfigError } from "../errors/ServiceError.js";
import { parseRouterConfig, type RouterConfig, type RouterConfigInput } from "./config.js";
import { classifierMetadataPath, parseClassifierMetadata } from "./learned/classifierMetadata.js";
import { LearnedClassifier } from "./learned/LearnedClassifier.js";
import { ModelRouter, type Router } from "./ModelRouter.js";
import type { RoutingClassifier } from "./RoutingClassifier.js";
import type { RoutingRecord } from "./types.js";

export interface RouterOptions {
    /**
     * Providers by id, used instead of building them from `config.providers` (custom providers, tests).
     * Every id the tiers name must be in `config.providers` either way. Defaults to none.
     */
    providers?: Readonly<Record<string, Provider>>;
    /**
     * The learned-classifier seam, consulted when no rule matches. Defaults to a LearnedClassifier when the
     * config has a `classifier` section (closed with the router), else none (rules, then the default tier).
     */
    classifier?: RoutingClassifier;
    /** Registry for the router's metrics (the app's, to serve them on /metrics). Defaults to a fresh registry. */
    registry?: Registry;
    /** Defaults to JSON lines on stderr (component "router"). */
    logger?: Logger;
    /** Called with every routing record and its redacted JSON line. */
    onRecord?: (record: RoutingRecord, line: string) => void;
    /** Environment the API keys are read from. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /** Monotonic clock in ms (breakers, TTLs, deadlines, latencies). Defaults to `performance.now`. */
    now?: () => number;
    /** Backoff sleep. Defaults to a timer that the request's signal cancels. */
    sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Random source (backoff jitter, version-shift and sessionless canary draws), in [0, 1). Defaults to `Math.random`. */
    random?: () => number;
    /** Wall clock in ms: feedback decay (it must survive restarts) and the mirror's daily spend cap. Defaults to `Date.now`. */
    wallClock?: () => number;
}

/** The backoff sleep: a timer the request's signal cancels (rejecting with an AbortError). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return delay(ms, undefined, { signal });
}

export function createRouter(input: RouterConfigInput, options: RouterOptions = {}): Router {
    const config = parseRouterConfig(input);
    const env = options.env ?? process.env;
    const providers = new Map<string, Provider>();
    for (const [id, providerConfig] of Object.entries(config.providers)) {
        providers.set(id, options.providers?.[id] ?? createProvider(id, providerConfig, env));
    }
    const logger = options.logger ?? createLogger("router");
    const learned = options.classifier === undefined ? learnedClassifier(config, logger) : undefined;
    const router = new ModelRouter({
        config,
        providers,
        registry: options.registry ?? new Registry(),
        logger,
        classifier: options.classifier ?? learned,
        onRecord: options.onRecord,
        secrets: providerSecrets(config.providers, env),
        now: options.now ?? (() => performance.now()),
        sleep: options.sleep ?? sleep,
        random: options.random ?? Math.random,
        wallClock: options.wallClock ?? Date.now,
    });
    return learned ? closingAlso(router, learned) : router;
}

/** The config's `classifier` section as a LearnedClassifier (its tiers checked against the config's). */
function learnedClassifier(config: RouterConfig, logger: Logger): LearnedClassifier | undefined {
    const section = config.classifier;
    if (section === undefined) return undefined;
    // Checked before any worker starts: a model whose tiers the config lacks would never decide anything.
    // The json alone: LearnedClassifier reads (and hashes) the model and word vectors once, below.
    const modelTiers = parseClassifierMetadata(classifierMetadataPath(section.model)).tiers;
    const tiers = new Set(config.tiers.map((t) => t.name));
    const unknown = modelTiers.filter((t) => !tiers.has(t));
    if (unknown.length > 0) {
        throw new ConfigError(
            `classifier.model predicts tiers ${unknown.map((t) => `"${t}"`).join(", ")} that are not configured (tiers: ${[...tiers].join(", ")}); name the tiers like the model's (${modelTiers.join(", ")})`,
        );
    }
    const classifier = new LearnedClassifier({
        ...section,
        onError: (error) => {
            logger.warn("routing classifier abstained", { error: error.message });
        },
    });
    return classifier;
}

/** The router, whose close() also stops the classifier's workers that createRouter started. */
function closingAlso(router: Router, classifier: LearnedClassifier): Router {
    const close = router.close.bind(router);
    return Object.assign(router, {
        close: async (): Promise<void> => {
            try {
                await close();
            } finally {
                await classifier.close();
            }
        },
    });
}
