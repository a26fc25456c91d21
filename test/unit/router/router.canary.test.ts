/**
 * Canary evidence through the router (scripted providers, frozen clock): which requests count and why,
 * and the record a failed request carries.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import type { Logger } from "../../../src/util/logger.js";
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

describe("canary state across a restart", () => {
    /** Candidate arm: the local tier, which fails; incumbent arm: mid, which answers. Arms alternate. */
    const rollout = (statePath: string, share = 0.5): RouterConfigInput["canary"] => ({
        candidate: { policy: { defaultTier: "local", version: "local-first" } },
        share,
        slowMs: null,
        statePath,
    });
    const start = (canaryConfig: RouterConfigInput["canary"], logger = recordingLogger()) => {
        let n = 0;
        const f = setupRouter(
            { canary: canaryConfig, reliability: { maxRetries: 0 }, cache: { enabled: false } },
            { random: () => (n++ % 2 === 0 ? 0.1 : 0.9), logger },
        );
        // A caller error: not retried elsewhere, so the candidate arm's request fails.
        f.local.always({ kind: "error", error: providerError(ErrorCode.ProviderBadRequest) });
        f.anthropic.always({ kind: "ok", text: "fine" });
        return { ...f, logger };
    };
    const serve = async (f: ReturnType<typeof start>, requests: number) => {
        for (let i = 0; i < requests; i++) await f.router.complete(ask(`q${i}`)).catch(() => undefined);
    };

    it("resumes the evidence and the test, and a rollback stays rolled back", async () => {
        const statePath = join(mkdtempSync(join(tmpdir(), "tiercel-canary-")), "canary.json");
        const first = start(rollout(statePath));
        await serve(first, 6);
        const before = first.router.canaryStatus()!;
        expect(before.decision).toBe("collecting");
        expect(before.arms.candidate).toMatchObject({ requests: 3, failures: 3 });
        await first.router.close();

        // A restart resumes the same rollout: counts and ratio as they were, and the evidence adds up.
        const second = start(rollout(statePath));
        expect(second.router.canaryStatus()).toEqual(before);
        expect(second.logger.warnings).toEqual([]);
        await serve(second, 40);
        const decided = second.router.canaryStatus()!;
        expect(decided.decision).toBe("rolled_back");
        expect(decided.arms.candidate.failures).toBeGreaterThan(before.arms.candidate.failures);
        await second.router.close();

        // Rolled back before the restart: the candidate serves nothing after it.
        const third = start(rollout(statePath));
        expect(third.router.canaryStatus()).toMatchObject({ decision: "rolled_back", current_share: 0 });
        const answer = await third.router.complete(ask("after the restart"));
        expect(answer.routing).toMatchObject({
            decided_tier: "mid",
            canary: { arm: "incumbent", decision: "rolled_back" },
        });
        await third.router.close();
        const saved = JSON.parse(readFileSync(statePath, "utf8")) as { canary: { decision: string } };
        expect(saved.canary.decision).toBe("rolled_back");
    });

    it("starts fresh, with one warning, on a file of another rollout or a corrupt one", async () => {
        const statePath = join(mkdtempSync(join(tmpdir(), "tiercel-canary-")), "canary.json");
        const first = start(rollout(statePath));
        await serve(first, 6);
        await first.router.close();

        const reshared = start(rollout(statePath, 0.2));
        expect(reshared.logger.warnings).toEqual([
            "router canary state is of another rollout; starting this one fresh",
        ]);
        expect(reshared.router.canaryStatus()?.arms.candidate.requests).toBe(0);
        await reshared.router.close();

        writeFileSync(statePath, "{not json");
        const corrupt = start(rollout(statePath));
        expect(corrupt.logger.warnings).toHaveLength(1);
        expect(corrupt.router.canaryStatus()).toMatchObject({
            decision: "collecting",
            arms: { candidate: { requests: 0 } },
        });
        await corrupt.router.close();
    });
});

function recordingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, info() {}, error() {}, warn: (m) => warnings.push(m) };
}
