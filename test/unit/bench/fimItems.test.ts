import { describe, expect, it } from "vitest";
import { fimItems } from "../../../bench/e2e/fimSpeculation.js";

describe("fimItems (the FIM bench's cuts)", () => {
    it("cuts at the non-blank line nearest the middle; prefix + middle + suffix is the text", () => {
        const text = "def f(x):\n    y = x + 1\n\n    return y\n";
        const [item] = fimItems([text]);
        expect(item!.middle).toBe("    return y");
        expect(item!.prefix + item!.middle + item!.suffix).toBe(text);
    });

    it("skips texts too short to have a middle", () => {
        expect(fimItems(["one line", "two\nlines"])).toEqual([]);
    });
});
