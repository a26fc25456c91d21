/** linkedSignal: follows its sources, times out as AbortSignal.timeout does, and lets go when disposed. */
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import {
    linkedSignal,
    timeoutReason,
    toAbortedError,
    untilSettledOrAborted,
} from "../../../src/util/abort.js";

afterEach(() => {
    vi.useRealTimers();
});

describe("linkedSignal", () => {
    it("aborts with the reason of the first source that aborts, and stops listening to the others", () => {
        const a = new AbortController();
        const b = new AbortController();
        const linked = linkedSignal([a.signal, b.signal]);
        expect(getEventListeners(a.signal, "abort")).toHaveLength(1);
        b.abort("b went first");
        expect(linked.signal.aborted).toBe(true);
        expect(linked.signal.reason).toBe("b went first");
        expect(getEventListeners(a.signal, "abort")).toHaveLength(0);
        a.abort("a later");
        expect(linked.signal.reason).toBe("b went first");
    });

    it("is aborted at once when a source already is", () => {
        const a = new AbortController();
        a.abort("early");
        const linked = linkedSignal([new AbortController().signal, a.signal]);
        expect(linked.signal.reason).toBe("early");
    });

    it("times out with a TimeoutError that reads as a deadline, and the timer goes with dispose", () => {
        vi.useFakeTimers();
        const linked = linkedSignal([], { ms: 1_000, reason: timeoutReason });
        vi.advanceTimersByTime(999);
        expect(linked.signal.aborted).toBe(false);
        vi.advanceTimersByTime(1);
        expect(linked.signal.aborted).toBe(true);
        expect(toAbortedError(linked.signal).code).toBe(ErrorCode.DeadlineExceeded);

        const disposed = linkedSignal([], { ms: 1_000, reason: timeoutReason });
        disposed.dispose();
        vi.advanceTimersByTime(5_000);
        expect(disposed.signal.aborted).toBe(false);
    });

    it("sets no timer for a delay setTimeout cannot hold (it would fire at once)", () => {
        vi.useFakeTimers();
        const linked = linkedSignal([], { ms: 2 ** 31, reason: timeoutReason });
        vi.advanceTimersByTime(10_000);
        expect(linked.signal.aborted).toBe(false);
        expect(vi.getTimerCount()).toBe(0);
    });

    it("aborts on its own without aborting its sources, and removes its listeners when disposed", () => {
        const source = new AbortController();
        const linked = linkedSignal([source.signal]);
        linked.abort("own reason");
        expect(linked.signal.reason).toBe("own reason");
        expect(source.signal.aborted).toBe(false);
        expect(getEventListeners(source.signal, "abort")).toHaveLength(0);

        const other = linkedSignal([source.signal]);
        other.dispose();
        expect(getEventListeners(source.signal, "abort")).toHaveLength(0);
        source.abort("after dispose");
        expect(other.signal.aborted).toBe(false);
    });

    it("keeps abort and dispose working when callers pass them on detached from the link", () => {
        vi.useFakeTimers();
        const source = new AbortController();
        const { signal, abort } = linkedSignal([source.signal], { ms: 1_000, reason: timeoutReason });
        abort("detached abort");
        expect(signal.reason).toBe("detached abort");
        expect(getEventListeners(source.signal, "abort")).toHaveLength(0);
        expect(vi.getTimerCount()).toBe(0);

        const other = linkedSignal([source.signal], { ms: 1_000, reason: timeoutReason });
        const { dispose } = other;
        dispose();
        expect(getEventListeners(source.signal, "abort")).toHaveLength(0);
        vi.advanceTimersByTime(5_000);
        expect(other.signal.aborted).toBe(false);
    });

    it("follows a source that aborts later, once, and its timer goes with it", () => {
        vi.useFakeTimers();
        const source = new AbortController();
        const linked = linkedSignal([source.signal], { ms: 1_000, reason: timeoutReason });
        source.abort("source reason");
        expect(linked.signal.reason).toBe("source reason");
        expect(vi.getTimerCount()).toBe(0);
    });
});

describe("untilSettledOrAborted", () => {
    it("resolves when the promise settles, throws the typed abort when the signal fires first; no listener left", async () => {
        const controller = new AbortController();
        await untilSettledOrAborted(Promise.resolve(), controller.signal);
        expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
        const never = new Promise<void>(() => undefined);
        const waiting = untilSettledOrAborted(never, controller.signal);
        controller.abort();
        await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Cancelled });
        expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
        await expect(untilSettledOrAborted(never, AbortSignal.abort())).rejects.toMatchObject({
            code: ErrorCode.Cancelled,
        });
        await untilSettledOrAborted(Promise.resolve(), undefined);
    });
});
