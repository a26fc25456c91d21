/**
 * The router config's `feedback` section → the FeedbackBandit, loaded from `feedback.statePath` when it
 * names one and written back every `saveIntervalMs` and on `close()` (FeedbackStore.ts).
 */
import type { Logger } from "../../util/logger.js";
import type { RouterConfig } from "../config.js";
import { FeedbackBandit } from "./FeedbackBandit.js";
import { FeedbackStore } from "./FeedbackStore.js";

export interface BuiltFeedback {
    bandit: FeedbackBandit;
    /** Stops the periodic save and writes the state one last time (nothing without a statePath). */
    close: () => Promise<void>;
}

/** Undefined when `feedback.enabled` is off. */
export function buildFeedback(
    config: RouterConfig,
    deps: { logger: Logger; wallClock: () => number },
): BuiltFeedback | undefined {
    const fb = config.feedback;
    if (!fb.enabled) return undefined;
    const bandit = new FeedbackBandit({ ...fb, tiers: config.tiers.map((t) => t.name), now: deps.wallClock });
    if (fb.statePath === null) return { bandit, close: () => Promise.resolve() };
    const store = new FeedbackStore(fb.statePath, deps.logger);
    store.load(bandit);
    const timer = setInterval(() => void store.save(bandit), fb.saveIntervalMs);
    timer.unref();
    return {
        bandit,
        close: async () => {
            clearInterval(timer);
            await store.save(bandit);
        },
    };
}
