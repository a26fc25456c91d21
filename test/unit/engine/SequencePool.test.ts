import { describe, expect, it } from "vitest";
import { SequencePool } from "../../../src/engine/SequencePool.js";
import { ErrorCode } from "../../../src/errors/codes.js";

describe("SequencePool", () => {
    it("prefers the free slot with the highest preference, ties to the least recently released", async () => {
        const pool = new SequencePool(["a", "b", "c"], 0);
        const score: Record<string, number> = { a: 1, b: 5, c: 5 };
        const first = await pool.acquire(undefined, (s) => score[s]!);
        expect(first.slot).toBe("b");
        first.release();
        // Free order is now a, c, b: c is the least recently released among the best.
        const second = await pool.acquire(undefined, (s) => score[s]!);
        expect(second.slot).toBe("c");
    });

    it("queues FIFO up to maxQueue, refuses beyond with a retryable E_QUEUE_FULL", async () => {
        const pool = new SequencePool(["only"], 2);
        const held = await pool.acquire();
        const order: number[] = [];
        const w1 = pool.acquire().then((l) => (order.push(1), l));
        const w2 = pool.acquire().then((l) => (order.push(2), l));
        expect(pool.queued).toBe(2);
        await expect(pool.acquire()).rejects.toMatchObject({ code: ErrorCode.QueueFull, retryable: true });
        held.release();
        held.release(); // idempotent
        (await w1).release();
        (await w2).release();
        expect(order).toEqual([1, 2]);
        expect(pool.inUse).toBe(0);
    });

    it("an aborted waiter leaves the queue; close() refuses the rest", async () => {
        const pool = new SequencePool([1], 5);
        const held = await pool.acquire();
        const controller = new AbortController();
        const waiting = pool.acquire(controller.signal);
        controller.abort();
        await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Cancelled });
        expect(pool.queued).toBe(0);
        const other = pool.acquire();
        pool.close();
        await expect(other).rejects.toMatchObject({ code: ErrorCode.NotReady });
        await expect(pool.acquire()).rejects.toMatchObject({ code: ErrorCode.NotReady });
        held.release();
    });

    it("a deadline abort maps to E_DEADLINE_EXCEEDED", async () => {
        const pool = new SequencePool([1], 5);
        await pool.acquire();
        await expect(pool.acquire(AbortSignal.timeout(5))).rejects.toMatchObject({
            code: ErrorCode.DeadlineExceeded,
        });
    });
});
