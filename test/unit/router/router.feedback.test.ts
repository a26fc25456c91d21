/**
 * Feedback: rating answered requests, the per-signature bandit moving a failing signature up (and decay
 * bringing it back), rules taking precedence, and persistence (round trip, corrupt file).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import type { RouterConfigInput } from "../../../src/router/config.js";
import { FeedbackBandit, type FeedbackOutcome } from "../../../src/router/feedback/FeedbackBandit.js";
import { feedbackSignature, sizeBucket } from "../../../src/router/feedback/feedbackSignature.js";
import type { Logger } from "../../../src/util/logger.js";
import { ask, baseConfig, setupRouter, type RouterFixture } from "./routerFixture.js";

const fixtures: RouterFixture[] = [];
afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.router.close()));
});

const day = 86_400_000;

function setup(extra: Partial<RouterConfigInput> = {}, logger?: Logger) {
    let wall = 1_700_000_000_000;
    const f = setupRouter(
        {
            policy: {
                defaultTier: "local",
                rules: [{ name: "security", tier: "local", when: { tags: ["security"] } }],
            },
            cache: { enabled: false },
            ...extra,
        },
        { wallClock: () => wall, ...(logger && { logger }) },
    );
    for (const p of [f.local, f.anthropic, f.openai]) p.always({ kind: "ok", text: "ok" });
    fixtures.push(f);
    return { ...f, advanceWall: (ms: number) => (wall += ms) };
}

function errorOf(fn: () => unknown): { code?: unknown } {
    try {
        fn();
    } catch (error) {
        return error as { code?: unknown };
    }
    throw new Error("expected an error");
}

/** Routes one "chat" request and rates it. */
async function rated(f: RouterFixture, outcome: FeedbackOutcome, tags: string[] = []) {
    const response = await f.router.complete(
        ask("write the function", { hints: { task_type: "chat", tags } }),
    );
    f.router.feedback(response.routing.request_id, outcome);
    return response;
}

describe("feedbackSignature", () => {
    it("is the task type and a size bucket", () => {
        expect(feedbackSignature({ taskType: "completion", contextTokens: 10 })).toBe("completion|xs");
        expect(feedbackSignature({ taskType: undefined, contextTokens: 20_000 })).toBe("none|xl");
        expect([255, 256, 1_023, 1_024, 4_096, 16_383].map(sizeBucket)).toEqual([
            "xs",
            "s",
            "s",
            "m",
            "l",
            "l",
        ]);
    });
});

describe("router.feedback", () => {
    it("rates each answered request once; unknown ids and outcomes are typed errors", async () => {
        const f = setup();
        const response = await f.router.complete(ask("hi", { hints: { task_type: "chat" } }));
        expect(f.records.at(-1)?.request_id).toBe(response.routing.request_id);
        expect(f.router.feedback(response.routing.request_id, "accepted")).toEqual({
            signature: "chat|xs",
            tier: "local",
        });
        expect(errorOf(() => f.router.feedback(response.routing.request_id, "accepted")).code).toBe(
            ErrorCode.FeedbackUnknownRequest,
        );
        expect(errorOf(() => f.router.feedback("no-such-id", "accepted")).code).toBe(
            ErrorCode.FeedbackUnknownRequest,
        );
        const other = await f.router.complete(ask("hi"));
        expect(
            errorOf(() => f.router.feedback(other.routing.request_id, "great" as FeedbackOutcome)).code,
        ).toBe(ErrorCode.InvalidArgument);
        const off = setup({ feedback: { enabled: false } });
        const r = await off.router.complete(ask("hi"));
        expect(errorOf(() => off.router.feedback(r.routing.request_id, "accepted")).code).toBe(
            ErrorCode.InvalidArgument,
        );
    });

    it("forgets the oldest rateable requests beyond maxPendingRequests", async () => {
        const f = setup({ feedback: { maxPendingRequests: 2 } });
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await f.router.complete(ask(`q${i}`))).routing.request_id);
        expect(errorOf(() => f.router.feedback(ids[0]!, "accepted")).code).toBe(
            ErrorCode.FeedbackUnknownRequest,
        );
        expect(f.router.feedback(ids[2]!, "accepted").tier).toBe("local");
    });

    it("moves a failing signature one tier up, and decay brings it back", async () => {
        const f = setup();
        for (let i = 0; i < 4; i++) expect((await rated(f, "tests_failed")).routing.tier).toBe("local");
        // Four outcomes are below minEvidence (5): still local.
        expect((await rated(f, "tests_failed")).routing.tier).toBe("local");
        const moved = await rated(f, "accepted");
        expect(moved.routing).toMatchObject({
            tier: "mid",
            decided_tier: "mid",
            routing_reason: "feedback:chat|xs",
            policy_reason: "default",
        });
        // Other signatures are not affected.
        expect((await f.router.complete(ask("x", { hints: { task_type: "plan" } }))).routing.tier).toBe(
            "local",
        );
        // Evidence halves per day: after two days 5 outcomes weigh 1.25 < minEvidence, the cheap tier is tried again.
        f.advanceWall(2 * day);
        expect((await f.router.complete(ask("x", { hints: { task_type: "chat" } }))).routing).toMatchObject({
            tier: "local",
            routing_reason: "default",
        });
    });

    it("labels a feedback decision's metric by its source only: the task type comes from the request", async () => {
        const f = setup();
        const taskType = "caller-chosen-text";
        const rate = async (outcome: FeedbackOutcome) => {
            const r = await f.router.complete(ask("write the function", { hints: { task_type: taskType } }));
            f.router.feedback(r.routing.request_id, outcome);
            return r;
        };
        for (let i = 0; i < 5; i++) await rate("tests_failed");
        expect((await rate("accepted")).routing.routing_reason).toBe(`feedback:${taskType}|xs`);
        expect(await f.metric('tiercel_router_decisions_total{tier="mid",reason="feedback"}')).toBe(1);
        expect(await f.registry.metrics()).not.toContain(taskType);
    });

    it("a mostly accepted signature stays; rules are never moved", async () => {
        const f = setup();
        for (const outcome of [
            "accepted",
            "accepted",
            "tests_failed",
            "accepted",
            "retried",
            "accepted",
        ] as const)
            expect((await rated(f, outcome)).routing.tier).toBe("local");
        const g = setup();
        for (let i = 0; i < 6; i++) await rated(g, "tests_failed", ["security"]);
        expect((await rated(g, "tests_failed", ["security"])).routing).toMatchObject({
            tier: "local",
            routing_reason: "rule:security",
        });
    });

    it("learns from cascade rejections: a signature whose cheap answers keep failing starts higher", async () => {
        const tiers = baseConfig.tiers.map((t) =>
            t.name === "local" ? { ...t, cascade: { validators: ["json" as const] } } : t,
        );
        const f = setup({ tiers });
        f.anthropic.always({ kind: "ok", text: "{}" });
        for (let i = 0; i < 5; i++) {
            const r = await f.router.complete(ask("json please", { hints: { task_type: "extract" } }));
            expect(r.routing).toMatchObject({ routing_reason: "default", tier: "mid" });
        }
        const r = await f.router.complete(ask("json please", { hints: { task_type: "extract" } }));
        expect(r.routing).toMatchObject({ routing_reason: "feedback:extract|xs", tier: "mid", cascade: [] });
        expect(f.local.calls).toHaveLength(5);
    });

    it("keeps at most maxSignatures signatures", () => {
        const bandit = new FeedbackBandit({
            tiers: ["a", "b"],
            halfLifeMs: day,
            minEvidence: 1,
            costWeight: 0.2,
            maxSignatures: 2,
            maxPendingRequests: 10,
            now: () => 0,
        });
        for (const s of ["x", "y", "z"]) bandit.record(s, 0, "tests_failed");
        expect(bandit.signatures).toBe(2);
        expect(bandit.arms("x")).toEqual({});
        expect(bandit.prefersHigher("z", 0)).toBe(true);
        expect(bandit.prefersHigher("z", 1)).toBe(false);
    });
});

function recordingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, info() {}, error() {}, warn: (m) => warnings.push(m) };
}

describe("feedback persistence", () => {
    it("round-trips the learned preferences through an atomic file write", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-feedback-"));
        const statePath = join(dir, "nested", "feedback.json");
        const first = setup({ feedback: { statePath } });
        for (let i = 0; i < 5; i++) await rated(first, "tests_failed");
        expect((await rated(first, "accepted")).routing.tier).toBe("mid");
        await first.router.close();
        expect(readdirSync(join(dir, "nested"))).toEqual(["feedback.json"]);
        const saved = JSON.parse(readFileSync(statePath, "utf8")) as { signatures: Record<string, unknown> };
        expect(Object.keys(saved.signatures)).toEqual(["chat|xs"]);

        const logger = recordingLogger();
        const second = setup({ feedback: { statePath } }, logger);
        const response = await second.router.complete(ask("again", { hints: { task_type: "chat" } }));
        expect(response.routing.routing_reason).toBe("feedback:chat|xs");
        expect(logger.warnings).toEqual([]);
    });

    it("ignores a corrupt or foreign file with one warning", async () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-feedback-"));
        const statePath = join(dir, "feedback.json");
        for (const body of [
            "{not json",
            JSON.stringify({ kind: "something-else", version: 1, savedAt: "x", signatures: {} }),
            JSON.stringify({
                kind: "tiercel-router-feedback",
                version: 1,
                savedAt: "x",
                signatures: { "chat|xs": { local: { count: "many", rewardSum: 0, at: 0 } } },
            }),
        ]) {
            writeFileSync(statePath, body);
            const logger = recordingLogger();
            const f = setup({ feedback: { statePath } }, logger);
            expect(logger.warnings).toHaveLength(1);
            expect((await f.router.complete(ask("x", { hints: { task_type: "chat" } }))).routing.tier).toBe(
                "local",
            );
        }
    });
});
