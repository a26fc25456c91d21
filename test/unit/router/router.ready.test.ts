import { describe, expect, it } from "vitest";
import type { ClassifierVerdict, RoutingClassifier } from "../../../src/router/RoutingClassifier.js";
import { ask, setupRouter } from "./routerFixture.js";

/**
 * A classifier that abstains until its warm-up is settled by the test, as a model still loading would
 * (the learned classifier's first decisions time out while its worker loads the session).
 */
function warmingClassifier(): {
    classifier: RoutingClassifier;
    load: () => void;
    fail: (error: Error) => void;
} {
    let loaded = false;
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const warmUp = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
    });
    return {
        classifier: {
            classify: (): ClassifierVerdict | undefined =>
                loaded ? { tier: "frontier", score: 0.9, classifier: "warm" } : undefined,
            ready: () => warmUp,
        },
        load: () => {
            loaded = true;
            settle!.resolve();
        },
        fail: (error) => {
            settle!.reject(error);
        },
    };
}

/** Whether a promise has settled after the pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    promise.then(
        () => (done = true),
        () => (done = true),
    );
    for (let i = 0; i < 20; i++) await Promise.resolve();
    return done;
}

describe("router.ready()", () => {
    it("resolves at once without a classifier", async () => {
        const f = setupRouter();
        await expect(f.router.ready()).resolves.toBeUndefined();
    });

    it("holds a request the classifier must decide until the warm-up, instead of routing by its abstention", async () => {
        const warm = warmingClassifier();
        const f = setupRouter({}, { classifier: warm.classifier });
        f.anthropic.always({ kind: "ok", text: "done" });
        const ready = f.router.ready();
        const answer = f.router.complete(ask("design the migration"));
        expect(await settled(answer)).toBe(false);
        expect(await settled(ready)).toBe(false);
        expect(f.anthropic.calls).toHaveLength(0);
        warm.load();
        await ready;
        const { routing } = await answer;
        expect(routing).toMatchObject({ tier: "frontier", policy_reason: "classifier:warm" });
        expect(f.records.map((r) => r.routing_reason)).toEqual(["classifier:warm"]);
    });

    it("routes rule-matched and forced requests at once while the classifier warms up", async () => {
        const warm = warmingClassifier();
        const f = setupRouter({}, { classifier: warm.classifier });
        f.local.always({ kind: "ok", text: "done" });
        f.anthropic.always({ kind: "ok", text: "done" });
        const ruled = await f.router.complete(ask("audit", { hints: { tags: ["security"] } }));
        const forced = await f.router.complete(ask("anything", { hints: { tier: "local" } }));
        expect([ruled.routing.routing_reason, forced.routing.routing_reason]).toEqual([
            "rule:security",
            "hint:tier",
        ]);
        expect(await settled(f.router.ready())).toBe(false);
        warm.load();
    });

    it("rejects with the warm-up's error, and the waiting request falls back to the default tier", async () => {
        const warm = warmingClassifier();
        const f = setupRouter({}, { classifier: warm.classifier });
        f.anthropic.always({ kind: "ok", text: "done" });
        const decision = f.router.decide(ask("design the migration"));
        warm.fail(new Error("onnx session failed to load"));
        await expect(f.router.ready()).rejects.toThrow("onnx session failed to load");
        expect(await decision).toMatchObject({ tier: "mid", routing_reason: "default" });
    });
});
