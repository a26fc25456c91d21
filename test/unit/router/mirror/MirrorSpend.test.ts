import { describe, expect, it } from "vitest";
import { MirrorSpend } from "../../../../src/router/mirror/MirrorSpend.js";

describe("MirrorSpend", () => {
    it("refuses a reservation that would take spend + reservations over the cap", () => {
        const spend = new MirrorSpend({ capUsd: 1, wallClock: () => Date.UTC(2026, 10, 27, 9) });
        const a = spend.tryReserve(0.6);
        expect(a).toBeDefined();
        expect(spend.tryReserve(0.5)).toBeUndefined();
        spend.settle(a!, 0.1);
        expect(spend.snapshot()).toEqual({ spentUsd: 0.1, reservedUsd: 0, capUsd: 1 });
        expect(spend.tryReserve(0.9)).toBeDefined();
        expect(spend.tryReserve(0.01)).toBeUndefined();
    });

    it("starts each UTC day from zero; a call settled after midnight is charged to the new day", () => {
        let wall = Date.UTC(2026, 10, 27, 23, 59);
        const spend = new MirrorSpend({ capUsd: 1, wallClock: () => wall });
        const late = spend.tryReserve(1)!;
        expect(spend.tryReserve(0.5)).toBeUndefined();
        wall = Date.UTC(2026, 10, 28, 0, 1);
        expect(spend.snapshot()).toEqual({ spentUsd: 0, reservedUsd: 0, capUsd: 1 });
        spend.settle(late, 0.3);
        expect(spend.snapshot().spentUsd).toBe(0.3);
        expect(spend.tryReserve(0.8)).toBeUndefined();
        expect(spend.tryReserve(0.7)).toBeDefined();
    });

    it("a cap of 0 sends nothing priced, and free (local) calls still go", () => {
        const spend = new MirrorSpend({ capUsd: 0, wallClock: () => 0 });
        expect(spend.tryReserve(0.001)).toBeUndefined();
        expect(spend.tryReserve(0)).toBeDefined();
    });
});
