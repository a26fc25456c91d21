import { describe, expect, it } from "vitest";
import { defaultThreads, smallModelBytes } from "../../../src/engine/defaultThreads.js";

describe("defaultThreads", () => {
    it("runs small targets on one thread whatever the core count", () => {
        expect(defaultThreads(9 * 2 ** 20, 16)).toBe(1);
        expect(defaultThreads(smallModelBytes - 1, 64)).toBe(1);
    });

    it("gives large targets every physical core", () => {
        expect(defaultThreads(smallModelBytes, 16)).toBe(16);
        expect(defaultThreads(4 * 2 ** 30, 8)).toBe(8);
    });

    it("never answers fewer than one thread", () => {
        expect(defaultThreads(4 * 2 ** 30, 0)).toBe(1);
    });
});
