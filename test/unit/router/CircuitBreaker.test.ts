import { describe, expect, it } from "vitest";
import {
    CircuitBreaker,
    type BreakerState,
    type CircuitBreakerOptions,
} from "../../../src/router/CircuitBreaker.js";

function setup(overrides: Partial<CircuitBreakerOptions> = {}) {
    let now = 1_000_000;
    const transitions: [BreakerState, BreakerState, string | null][] = [];
    const breaker = new CircuitBreaker({
        consecutiveFailures: 3,
        failureRatio: 0.5,
        minimumRequests: 6,
        windowMs: 60_000,
        openMs: 30_000,
        maxOpenMs: 100_000,
        halfOpenProbes: 1,
        halfOpenSuccesses: 1,
        slowRatio: 0.5,
        minimumLatencySamples: 4,
        now: () => now,
        onTransition: (from, to, trip) => transitions.push([from, to, trip]),
        ...overrides,
    });
    const fail = (): void => {
        breaker.tryAcquire()!.failure();
    };
    const succeed = (): void => {
        breaker.tryAcquire()!.success();
    };
    return {
        breaker,
        transitions,
        fail,
        succeed,
        advance: (ms: number) => {
            now += ms;
        },
    };
}

describe("CircuitBreaker", () => {
    it("counts requests in flight: a permit counts until its first outcome, and only once", () => {
        const { breaker } = setup();
        const a = breaker.tryAcquire()!;
        const b = breaker.tryAcquire()!;
        const c = breaker.tryAcquire()!;
        expect(breaker.inFlight).toBe(3);
        a.firstToken(false);
        expect(breaker.inFlight).toBe(3);
        a.success();
        a.success();
        b.failure();
        expect(breaker.inFlight).toBe(1);
        c.release();
        c.failure();
        expect(breaker.inFlight).toBe(0);
    });

    it("opens after consecutive failures, and a success in between resets the count", () => {
        const { breaker, fail, succeed } = setup();
        fail();
        fail();
        succeed();
        fail();
        fail();
        expect(breaker.state).toBe("closed");
        fail();
        expect(breaker.state).toBe("open");
        expect(breaker.snapshot().trip).toBe("consecutive_failures");
        expect(breaker.tryAcquire()).toBeUndefined();
    });

    it("opens on the failure ratio only once the window holds the minimum volume", () => {
        const { breaker, fail, succeed } = setup({ consecutiveFailures: 100 });
        // 2 failures of 4: 50 %, but below minimumRequests (6).
        succeed();
        fail();
        succeed();
        fail();
        expect(breaker.state).toBe("closed");
        succeed();
        expect(breaker.state).toBe("closed"); // 2/5
        fail(); // 3/6 = 50 % at the minimum volume
        expect(breaker.state).toBe("open");
        expect(breaker.snapshot().trip).toBe("failure_ratio");
    });

    it("forgets outcomes older than the window", () => {
        const { breaker, fail, succeed, advance } = setup({ consecutiveFailures: 100 });
        for (let i = 0; i < 5; i++) fail();
        succeed();
        advance(61_000);
        // Old failures are out of the window: 1 failure of 6 recent outcomes.
        for (let i = 0; i < 5; i++) succeed();
        fail();
        expect(breaker.state).toBe("closed");
        expect(breaker.snapshot()).toMatchObject({ windowRequests: 6, windowFailures: 1 });
    });

    it("opens on slow first tokens (the latency trigger), even when every request succeeds", () => {
        const { breaker } = setup();
        const request = (slow: boolean): void => {
            const permit = breaker.tryAcquire()!;
            permit.firstToken(slow);
            permit.success();
        };
        request(false);
        request(true);
        request(false);
        expect(breaker.state).toBe("closed"); // 3 samples < minimumLatencySamples
        request(true); // 2 slow of 4 = 50 %
        expect(breaker.state).toBe("open");
        expect(breaker.snapshot().trip).toBe("slow_first_token");
    });

    it("half-opens after the open period, lets one probe through, and closes when it succeeds", () => {
        const { breaker, fail, advance, transitions } = setup();
        fail();
        fail();
        fail();
        expect(breaker.snapshot().halfOpenAt).toBe(1_000_000 + 30_000);
        advance(29_999);
        expect(breaker.tryAcquire()).toBeUndefined();
        advance(1);
        expect(breaker.state).toBe("half_open");
        const probe = breaker.tryAcquire();
        expect(probe).toBeDefined();
        expect(breaker.tryAcquire()).toBeUndefined(); // one probe at a time
        probe!.success();
        expect(breaker.state).toBe("closed");
        expect(breaker.snapshot()).toMatchObject({
            windowRequests: 0,
            consecutiveFailures: 0,
            reopenCount: 0,
        });
        expect(transitions.map(([from, to]) => `${from}→${to}`)).toEqual([
            "closed→open",
            "open→half_open",
            "half_open→closed",
        ]);
    });

    it("a failed probe reopens for twice as long each time, capped at maxOpenMs (30 s → 60 s → 100 s)", () => {
        const { breaker, fail, advance } = setup();
        fail();
        fail();
        fail();
        const seen: number[] = [];
        let t = 1_000_000;
        for (let i = 0; i < 3; i++) {
            const at = breaker.snapshot().halfOpenAt!;
            seen.push(at - t);
            advance(at - t);
            t = at;
            breaker.tryAcquire()!.failure();
            expect(breaker.snapshot().trip).toBe("probe_failed");
        }
        expect(seen).toEqual([30_000, 60_000, 100_000]);
    });

    it("a probe that succeeds after a slow first token reopens instead of closing", () => {
        const { breaker, fail, advance } = setup();
        fail();
        fail();
        fail();
        advance(30_000);
        const probe = breaker.tryAcquire()!;
        probe.firstToken(true);
        probe.success();
        expect(breaker.state).toBe("open");
        expect(breaker.snapshot().trip).toBe("slow_first_token");
    });

    it("needs halfOpenSuccesses probes to close, and a released probe frees its slot", () => {
        const { breaker, fail, advance } = setup({ halfOpenSuccesses: 2 });
        fail();
        fail();
        fail();
        advance(30_000);
        breaker.tryAcquire()!.release(); // the caller cancelled: no verdict
        breaker.tryAcquire()!.success();
        expect(breaker.state).toBe("half_open");
        breaker.tryAcquire()!.success();
        expect(breaker.state).toBe("closed");
    });

    it("outcomes of permits taken before a state change do not move the state", () => {
        const { breaker, fail, advance } = setup();
        const early = breaker.tryAcquire()!;
        fail();
        fail();
        fail();
        advance(30_000);
        expect(breaker.state).toBe("half_open");
        early.success(); // taken while closed: cannot close a half-open breaker
        expect(breaker.state).toBe("half_open");
        const probe = breaker.tryAcquire()!;
        probe.failure();
        const reopenedAt = breaker.snapshot().halfOpenAt;
        early.failure(); // settled already: ignored entirely
        expect(breaker.snapshot().halfOpenAt).toBe(reopenedAt);
    });

    it("each permit settles once", () => {
        const { breaker } = setup();
        const permit = breaker.tryAcquire()!;
        permit.failure();
        permit.failure();
        permit.failure();
        expect(breaker.snapshot().consecutiveFailures).toBe(1);
        expect(breaker.state).toBe("closed");
    });

    it("a probe nobody settles expires by its deadline: the breaker reopens, then probes again", () => {
        const { breaker, fail, advance, transitions } = setup({ probeTimeoutMs: 5_000 });
        fail();
        fail();
        fail();
        advance(30_000);
        const stuck = breaker.tryAcquire(); // e.g. a stream whose consumer stopped pulling
        expect(stuck).toBeDefined();
        advance(4_999);
        expect(breaker.tryAcquire()).toBeUndefined();
        advance(1);
        // The expired probe proved nothing: it counts as a failed probe, from its deadline.
        expect(breaker.snapshot()).toMatchObject({ state: "open", trip: "probe_failed" });
        expect(breaker.snapshot().halfOpenAt).toBe(1_000_000 + 30_000 + 5_000 + 60_000);
        advance(60_000);
        const next = breaker.tryAcquire();
        expect(next).toBeDefined();
        // The stuck permit settling late cannot move the state.
        stuck!.success();
        expect(breaker.state).toBe("half_open");
        next!.success();
        expect(breaker.state).toBe("closed");
        expect(transitions.map(([, to]) => to)).toEqual(["open", "half_open", "open", "half_open", "closed"]);
    });

    it("with the default probe deadline, a forgotten probe does not hold the breaker for 10 minutes", () => {
        const { breaker, fail, advance } = setup();
        fail();
        fail();
        fail();
        advance(30_000);
        expect(breaker.tryAcquire()).toBeDefined();
        advance(600_000);
        expect(breaker.tryAcquire()).toBeDefined();
    });
});
