import { EventEmitter, once } from "node:events";
import type { Deadline } from "@grpc/grpc-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { callSignal, deadlineSkewMs, remainingMs, type CallLike } from "../../../src/grpc/callSignal.js";
import { toAbortedError } from "../../../src/util/abort.js";

class FakeCall extends EventEmitter implements CallLike {
    cancelled = false;
    constructor(readonly deadline: Deadline) {
        super();
    }
    getDeadline(): Deadline {
        return this.deadline;
    }
    cancel(): void {
        this.cancelled = true;
        this.emit("cancelled");
    }
}

afterEach(() => {
    vi.useRealTimers();
});

describe("remainingMs", () => {
    it("handles Date, number and Infinity deadlines", () => {
        expect(remainingMs(new Date(1_500), 1_000)).toBe(500);
        expect(remainingMs(900, 1_000)).toBe(-100);
        expect(remainingMs(Infinity, 1_000)).toBe(Infinity);
    });
});

describe("callSignal", () => {
    it("stays open without a deadline until the call is cancelled, then reads as a cancel", () => {
        const call = new FakeCall(Infinity);
        const { signal } = callSignal(call);
        expect(signal.aborted).toBe(false);
        call.cancel();
        expect(signal.aborted).toBe(true);
        expect(toAbortedError(signal).code).toBe(ErrorCode.Cancelled);
    });

    it("times out at the deadline through AbortSignal.timeout with the time left", () => {
        vi.useFakeTimers({ now: 10_000 });
        const timeout = vi.spyOn(AbortSignal, "timeout");
        callSignal(new FakeCall(new Date(10_050)));
        expect(timeout).toHaveBeenCalledWith(50);
        timeout.mockRestore();
    });

    it("aborts with a TimeoutError, read as a deadline, when the deadline passes", async () => {
        const { signal } = callSignal(new FakeCall(Date.now() + 20));
        expect(signal.aborted).toBe(false);
        await once(signal, "abort");
        expect(toAbortedError(signal).code).toBe(ErrorCode.DeadlineExceeded);
    });

    it("is aborted at once when the deadline already passed", () => {
        const { signal } = callSignal(new FakeCall(Date.now() - 1));
        expect(toAbortedError(signal).code).toBe(ErrorCode.DeadlineExceeded);
    });

    it("reads grpc-js's own deadline cancel (emitted once the deadline passed) as a deadline", () => {
        vi.useFakeTimers({ now: 10_000 });
        const call = new FakeCall(10_100);
        const { signal } = callSignal(call);
        vi.setSystemTime(10_100); // the clock moves, our timer has not fired yet: grpc-js's fires first
        call.cancel();
        expect(toAbortedError(signal).code).toBe(ErrorCode.DeadlineExceeded);
    });

    it("reads a cancel within the deadline skew as the client's deadline, an earlier one as a cancel", () => {
        vi.useFakeTimers({ now: 10_000 });
        const near = new FakeCall(10_000 + deadlineSkewMs);
        const nearSignal = callSignal(near).signal;
        near.cancel(); // the client's deadline, a little earlier than ours, has passed
        expect(toAbortedError(nearSignal).code).toBe(ErrorCode.DeadlineExceeded);
        const early = new FakeCall(10_000 + deadlineSkewMs + 1);
        const earlySignal = callSignal(early).signal;
        early.cancel();
        expect(toAbortedError(earlySignal).code).toBe(ErrorCode.Cancelled);
    });

    it("follows the parent (shutdown) signal with its reason", () => {
        const parent = new AbortController();
        const { signal } = callSignal(new FakeCall(Infinity), parent.signal);
        const reason = new DOMException("shutting down", "AbortError");
        parent.abort(reason);
        expect(signal.reason).toBe(reason);
    });

    it("treats a deadline beyond Node's timer range as none instead of firing after 1 ms", () => {
        vi.useFakeTimers({ now: 0 });
        const timeout = vi.spyOn(AbortSignal, "timeout");
        const { signal } = callSignal(new FakeCall(2 ** 31 + 10));
        expect(timeout).not.toHaveBeenCalled();
        expect(signal.aborted).toBe(false);
        timeout.mockRestore();
    });

    it("dispose removes the call's listener, so a late cancel no longer aborts", () => {
        const call = new FakeCall(Infinity);
        const { signal, dispose } = callSignal(call);
        dispose();
        expect(call.listenerCount("cancelled")).toBe(0);
        call.cancel();
        expect(signal.aborted).toBe(false);
    });
});
