/**
 * Builds the bench prompt sets (bench/prompts/*.jsonl) from the held-out code prompts, so every system
 * in a run sees the same prompts:
 *  - completion: held-out code cut at a line start (continue the file);
 *  - edit: copy-heavy — a held-out snippet, then the instruction to repeat it with one rename, then
 *    the start of the copy (the answer mostly repeats the prompt: what prompt lookup is for);
 *  - text: prose-like docstrings and comments (little to copy, little a code draft knows);
 *  - chat: ChatML-rendered questions about code.
 *
 *   node --import tsx bench/prompts/makePrompts.ts
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { readEvalPrompts } from "../../test/helpers/bundledModels.js";

const dir = import.meta.dirname;
const held = readEvalPrompts();
const write = (name: string, prompts: string[]): void => {
    writeFileSync(
        resolve(dir, `${name}.jsonl`),
        prompts.map((prompt) => JSON.stringify({ prompt })).join("\n") + "\n",
    );
};

write(
    "completion",
    held.slice(0, 12).map((p) => p.prompt),
);
write(
    "edit",
    held.slice(12, 24).map((p) => {
        const snippet = p.prompt.split("\n").slice(-12).join("\n");
        const firstLine = snippet.split("\n").find((l) => l.trim().length > 0) ?? "";
        return `${snippet}\n\n# The same code again, with one variable renamed:\n\n${firstLine}\n`;
    }),
);
write("text", [
    '"""Utilities for reading configuration files.\n\nThis module provides',
    "/**\n * Returns the number of items in the queue that",
    "# Why this cache exists\n#\n# The service receives",
    '"""\nA small HTTP client.\n\nThe client keeps',
    "// Notes on the retry policy:\n// We retry when",
    "The following section describes how the scheduler",
]);
write(
    "chat",
    [
        "How do I reverse a list in Python?",
        "Write a JavaScript function that debounces another function.",
        "What does this regex match: ^[a-z]+$ ?",
        "Explain the difference between let and const.",
    ].map((q) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`),
);
console.log("wrote bench/prompts/{completion,edit,text,chat}.jsonl");
