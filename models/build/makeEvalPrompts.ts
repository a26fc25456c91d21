/**
 * Cuts held-out documents (never trained on) into code-completion prompts for the pair's evaluation,
 * the tokenizer round-trip test and the benches: models/eval/heldout-code.jsonl, committed so that
 * tests and benches do not need the corpus. Deterministic: documents and cut points come from a hash.
 *
 *   node --import tsx models/build/makeEvalPrompts.ts
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { corpusDir, DOC_SEPARATOR } from "./buildCorpus.js";

export const evalPromptsPath = resolve(import.meta.dirname, "../eval/heldout-code.jsonl");
const count = 48;
const promptChars = 700;
const referenceChars = 400;

function hash(text: string): number {
    return createHash("sha256").update(text).digest().readUInt32BE(0);
}

if (import.meta.filename === process.argv[1]) {
    const docs = readFileSync(join(corpusDir, "heldout.txt"), "utf8")
        .split(DOC_SEPARATOR)
        .filter((d) => d.length > promptChars + referenceChars + 200)
        .sort((a, b) => hash(a) - hash(b));
    const lines: string[] = [];
    for (const doc of docs.slice(0, count)) {
        const h = hash(doc);
        const start = h % (doc.length - promptChars - referenceChars);
        // Cut at line starts so prompts look like what an editor sends.
        const from = doc.indexOf("\n", start) + 1;
        const cut = doc.lastIndexOf("\n", from + promptChars) + 1;
        if (cut <= from) continue;
        const language =
            /^\s*(def |class |import |from )/m.test(doc) && !/[;{}]\s*$/m.test(doc.slice(0, 2000))
                ? "python"
                : "javascript";
        lines.push(
            JSON.stringify({
                language,
                prompt: doc.slice(from, cut),
                reference: doc.slice(cut, cut + referenceChars),
            }),
        );
    }
    writeFileSync(evalPromptsPath, lines.join("\n") + "\n");
    console.log(`${lines.length} prompts → ${evalPromptsPath}`);
}
