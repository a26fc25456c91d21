/**
 * Canary evidence through the router (scripted providers, frozen clock): which requests count and why,
 * and the record a failed request carries.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import type { RouterConfigInput } from "../../../src/router/config.js";
import { RouteFailedError } from "../../../src/router/RouteFailedError.js";
import { ask, setupRouter } from "./routerFixture.js";
import { providerError } from "./scriptedProvider.js";

/** Every sessionless request is drawn into the candidate arm (random 0.1 < share 0.5). */
const canary: RouterConfigInput["canary"] = {
    candidate: { policy: { defaultTier: "frontier", version: "frontier-first" } },
    share: 0.5,
    slowMs: 10,
};

describe("canary evidence through the router", () => {
    it("a failed request's record carries its arm, and the error counts against that arm", async () => {
        const f = setupRouter({ canary, reliability: { maxRetries: 0 } }, { random: () => 0.1 });
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.local.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        const error: unknown = await f.router.complete(ask("explain this")).catch((e: unknown) => e);
        if (!(error instanceof RouteFailedError)) throw new Error("expected a RouteFailedError");
        expect(error.routing).toMatchObject({
            outcome: "error",
            decided_tier: "frontier",
            canary: { arm: "candidate", decision: "collecting" },
        });
        expect(f.router.canaryStatus()?.arms.candidate).toMatchObject({
            requests: 1,
            failures: 1,
            causes: { error: 1, cascade: 0, slow: 0 },
        });
    });

    it("an answer later than slowMs counts as slow; a cache hit of it is not evidence", async () => {
        const f = setupRouter({ canary }, { random: () => 0.1 });
        // The first attempt is overloaded; the retry's backoff (200 ms × jitter 0.1, advancing the clock) makes it slow.
        f.anthropic.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.anthropic.always({ kind: "ok", text: "done" });
        const slow = await f.router.complete(ask("explain x", { hints: { namespace: "repo" } }));
        expect(slow.routing.latency_ms).toBeGreaterThan(10);
        expect(slow.routing.canary).toEqual({ arm: "candidate", decision: "collecting" });
        const hit = await f.router.complete(ask("explain x", { hints: { namespace: "repo" } }));
        expect(hit.routing).toMatchObject({ cache: "hit", canary: { arm: "candidate" } });
        expect(f.router.canaryStatus()?.arms.candidate).toMatchObject({
            requests: 1,
            failures: 1,
            causes: { slow: 1 },
        });
    });
});
