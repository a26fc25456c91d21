import { describe, expect, it } from "vitest";
import { SequencePool } from "../../../src/engine/SequencePool.js";
import { ErrorCode } from "../../../src/errors/codes.js";

describe("SequencePool", () => {
    it("leases the free slot `choose` picks, given least recently released first; else the first", async () => {
        const pool = new SequencePool(["a", "b", "c"], 0);
        const seen: string[][] = [];
        const first = await pool.acquire(undefined, (free) => (seen.push([...free]), free.indexOf("b")));
        expect(first.slot).toBe("b");
        first.release();
        const second = await pool.acquire(undefined, (free) => (seen.push([...free]), 99));
        expect(second.slot).toBe("a");
        expect(seen).toEqual([
            ["a", "b", "c"],
            ["a", "c", "b"],
        ]);
        expect((await pool.acquire()).slot).toBe("c");
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
