import { describe, expect, it } from "vitest";

import { repetition, taskSignature } from "../../../src/speculative/taskSignature.js";

const repeated = Array.from({ length: 200 }, (_, i) => i % 10);
const fresh = Array.from({ length: 200 }, (_, i) => i);

describe("taskSignature", () => {
    it("names the kind of text, how repetitive the context is, and how the request samples", () => {
        expect(taskSignature(fresh, "def main():\n    pass\n", 0)).toBe("python|rep-low|greedy");
        expect(taskSignature(repeated, "export const x = 1;", 0.3)).toBe("js|rep-high|cool");
        expect(taskSignature(fresh, "Tell me about the sea.", 1)).toBe("text|rep-low|warm");
        expect(repetition(repeated)).toBeGreaterThan(0.9);
        expect(repetition(fresh)).toBe(0);
    });

    it("learns greedy and sampled requests of one prompt apart (their acceptance differs)", () => {
        const text = "int main() {\n    return 0;\n}\n";
        const signatures = [0, 0.2, 0.5, 0.7, 1, 2].map((t) => taskSignature(fresh, text, t));
        expect(signatures).toEqual([
            "code|rep-low|greedy",
            "code|rep-low|cool",
            "code|rep-low|cool",
            "code|rep-low|warm",
            "code|rep-low|warm",
            "code|rep-low|warm",
        ]);
    });
});
