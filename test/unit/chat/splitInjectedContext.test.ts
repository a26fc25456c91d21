import { describe, expect, it } from "vitest";
import { humanText, splitInjectedContext } from "../../../src/chat/splitInjectedContext.js";

describe("splitInjectedContext", () => {
    it("separates Claude Code's reminder blocks from the human's words, in order", () => {
        const text =
            "<system-reminder>CLAUDE.md: no race conditions</system-reminder>\nrename x to y\n<system-reminder>Todo list is empty.</system-reminder>";
        expect(splitInjectedContext(text)).toEqual({
            human: "rename x to y",
            injected:
                "<system-reminder>CLAUDE.md: no race conditions</system-reminder>\n<system-reminder>Todo list is empty.</system-reminder>",
        });
        expect(humanText(text)).toBe("rename x to y");
    });

    it("returns a text without reminders as it is, and an unclosed reminder runs to the end", () => {
        expect(splitInjectedContext("  fix it  ")).toEqual({ human: "  fix it  ", injected: "" });
        expect(splitInjectedContext("fix it\n<system-reminder>cut off")).toEqual({
            human: "fix it",
            injected: "<system-reminder>cut off",
        });
    });
});
