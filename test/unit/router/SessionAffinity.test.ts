import { describe, expect, it } from "vitest";
import { SessionAffinity } from "../../../src/router/SessionAffinity.js";

function setup(ttlMs = 1_000, maxSessions = 3) {
    let now = 0;
    const affinity = new SessionAffinity({ ttlMs, maxSessions, now: () => now });
    return { affinity, advance: (ms: number) => (now += ms) };
}

const mid = { tier: "mid", tierIndex: 1, reason: "default" };
const frontier = { tier: "frontier", tierIndex: 2, reason: "rule:security" };
const local = { tier: "local", tierIndex: 0, reason: "rule:quick" };
const sonnet = { provider: "anthropic", model: "sonnet" };

describe("SessionAffinity", () => {
    it("pins a session to the tier and the target that answered", () => {
        const { affinity } = setup();
        expect(affinity.record("s", mid, sonnet)).toEqual({ escalated: false, from: null });
        expect(affinity.get("s")).toMatchObject({
            tier: "mid",
            tierIndex: 1,
            provider: "anthropic",
            model: "sonnet",
            reason: "default",
        });
    });

    it("escalation moves the pin up, and it never moves back down", () => {
        const { affinity } = setup();
        affinity.record("s", mid, sonnet);
        expect(affinity.record("s", frontier, { provider: "openai", model: "codex" })).toEqual({
            escalated: true,
            from: "mid",
        });
        expect(affinity.record("s", mid, sonnet)).toEqual({ escalated: false, from: null });
        expect(affinity.record("s", local, undefined)).toEqual({ escalated: false, from: null });
        expect(affinity.get("s")).toMatchObject({
            tier: "frontier",
            provider: "openai",
            model: "codex",
            reason: "rule:security",
        });
    });

    it("keeps the first target of a tier, and fills it in when the first answer came from a fallback", () => {
        const { affinity } = setup();
        affinity.record("s", mid, undefined); // answered by another tier's target
        expect(affinity.get("s")).toMatchObject({ tier: "mid", provider: null, model: null });
        affinity.record("s", mid, sonnet);
        affinity.record("s", mid, { provider: "openai", model: "mini" });
        expect(affinity.get("s")).toMatchObject({ provider: "anthropic", model: "sonnet" });
    });

    it("forgets a pin after the idle TTL; use refreshes it", () => {
        const { affinity, advance } = setup(1_000);
        affinity.record("s", frontier, sonnet);
        advance(900);
        expect(affinity.get("s")?.tier).toBe("frontier");
        advance(900);
        expect(affinity.peek("s")?.tier).toBe("frontier"); // 900 ms since the last use
        advance(100);
        expect(affinity.get("s")).toBeUndefined();
        // An expired pin does not block a lower tier.
        expect(affinity.record("s", mid, sonnet)).toEqual({ escalated: false, from: null });
        expect(affinity.get("s")?.tier).toBe("mid");
    });

    it("evicts the least recently used session beyond maxSessions", () => {
        const { affinity } = setup(1_000, 2);
        affinity.record("a", mid, sonnet);
        affinity.record("b", mid, sonnet);
        affinity.get("a");
        affinity.record("c", mid, sonnet);
        expect(affinity.size).toBe(2);
        expect(affinity.peek("b")).toBeUndefined();
        expect(affinity.peek("a")).toBeDefined();
        expect(affinity.peek("c")).toBeDefined();
    });
});
