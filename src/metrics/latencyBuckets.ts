/**
 * Histogram buckets (seconds) shared by the engine's and the router's latency metrics, so that the same
 * quantity (a whole request, its first token) is bucketed alike wherever it is measured.
 */
export const latencyBuckets = {
    /** Whole requests: a tiny completion up to a long generation. */
    request: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    /** The first token: prompt evaluation of a few tokens up to a full long context. */
    firstToken: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    /** Per output token: ~2,000 tok/s (tiny models, speculation) down to ~1 tok/s. */
    token: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28],
};
