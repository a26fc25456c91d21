import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { checkPromptBytes, longestTokenBytes, promptByteLimit } from "../../../src/engine/promptByteLimit.js";

describe("promptByteLimit", () => {
    it.each([
        [2048, 80, 2047 * 80],
        [512, 12, 511 * 12],
        [1, 12, 0],
        [64, 0, 63],
    ])("context %i, longest token %i bytes → %i bytes", (context, longest, limit) => {
        expect(promptByteLimit(context, longest)).toBe(limit);
    });

    it("longestTokenBytes counts UTF-8 bytes, special tokens included", () => {
        const vocab = ["a", "<|im_start|>", "é", "日本語"];
        expect(longestTokenBytes(vocab.length, (id) => vocab[id]!)).toBe(12);
        expect(longestTokenBytes(1, () => "")).toBe(1);
    });
});

describe("checkPromptBytes", () => {
    const refuse = (texts: string[], limit: number) => {
        try {
            checkPromptBytes(texts, limit, 9, "prompt");
        } catch (error) {
            return error as { code: string; message: string };
        }
        return undefined;
    };

    it.each<[string, string[], number, boolean]>([
        ["ASCII at the limit", ["x".repeat(24)], 24, false],
        ["ASCII one byte over", ["x".repeat(25)], 24, true],
        ["multi-byte: 8 × 3 bytes at the limit", ["日".repeat(8)], 24, false],
        ["multi-byte: 9 × 3 bytes over", ["日".repeat(9)], 24, true],
        ["an astral character is 4 bytes in 2 code units", ["😀".repeat(6)], 24, false],
        ["messages count together", ["x".repeat(12), "y".repeat(13)], 24, true],
        ["no text", [], 0, false],
    ])("%s", (_name, texts, limit, refused) => {
        const error = refuse(texts, limit);
        expect(error !== undefined).toBe(refused);
        if (error) {
            expect(error.code).toBe(ErrorCode.ContextOverflow);
            expect(error.message).toContain(`more than the ${limit} bytes`);
            expect(error.message).toContain("context of 9 tokens");
        }
    });
});
