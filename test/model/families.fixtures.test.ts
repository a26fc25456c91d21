/**
 * The model families users serve, as tiny random-weight GGUFs with each family's real tokenizer, chat
 * template, end-of-turn and FIM tokens (models/build/buildFamilyFixtures.ts): chat rendering as the
 * template says, end of generation, FIM tokens from metadata, the tokenizer-compatibility report, and
 * speculation exact with a same-family draft and with a cross-family (translated) draft, and a
 * grammar-forced tool call in each chat family's own call syntax that parses back to the same call.
 */
import type { Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    ensureFamilyFixtures,
    familyFacts,
    familyNames,
    type FamilyName,
    type FamilyPaths,
} from "../../models/build/buildFamilyFixtures.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { infillPrompt, infillTokensOf } from "../../src/engine/infillPrompt.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { ChatPrompts } from "../../src/engine/ChatPrompts.js";
import { chatWrapperFor, renderChat } from "../../src/engine/renderChat.js";
import type { ChatMessage } from "../../src/engine/types.js";
import { collect } from "../helpers/fixtureEngine.js";

const system: ChatMessage = { role: "system", content: "You write Python." };
const user: ChatMessage = { role: "user", content: "Add two numbers." };
/** A tool whose forced call stays a few tokens long on random weights. */
const openFile = {
    type: "object",
    properties: { path: { enum: ["a.py", "b.py"] } },
    required: ["path"],
    additionalProperties: false,
};

/**
 * What each family's template renders for [system, user] and the assistant's turn, special tokens as text.
 * Two renderings are node-llama-cpp's, not the template's letter, and are what users of node-llama-cpp get:
 * DeepSeek-Coder opens the answer with the assistant message's own prefix (`### Response:\n`), and Phi-3,
 * whose template drops system messages, gets the system text folded into the first user turn.
 */
const expectedPrompt: Partial<Record<FamilyName, string>> = {
    llama3:
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou write Python.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nAdd two numbers.<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    qwen25coder:
        "<|im_start|>system\nYou write Python.<|im_end|>\n<|im_start|>user\nAdd two numbers.<|im_end|>\n" +
        "<|im_start|>assistant\n",
    deepseekCoder:
        "<｜begin▁of▁sentence｜>You write Python.### Instruction:\nAdd two numbers.\n### Response:\n",
};

/**
 * Another family's target as a draft (an incompatible tokenizer, used in translated mode), for one pair:
 * the realistic one (a Qwen target, a Llama 3 draft). Loading 150k-vocabulary drafts into every family's
 * engine would double this file's time for no new path.
 */
const crossFamily: Partial<Record<FamilyName, FamilyName>> = { qwen25coder: "llama3" };

let paths: Record<FamilyName, FamilyPaths>;
beforeAll(async () => {
    paths = await ensureFamilyFixtures();
}, 600_000);

describe.each(familyNames)("%s", (family) => {
    const facts = familyFacts[family];
    const cross = crossFamily[family];
    const drafts = cross === undefined ? ["same-family"] : ["same-family", "cross-family"];
    let engine: LocalEngine;

    beforeAll(async () => {
        const config = parseConfig({
            models: {
                target: { id: `${family}-target`, path: paths[family].target },
                drafts: [
                    { id: "same-family", path: paths[family].draft },
                    ...(cross === undefined ? [] : [{ id: "cross-family", path: paths[cross].target }]),
                ],
            },
            engine: { contextSize: 1024, sequences: 1, gpu: false, threads: 1 },
            speculation: { minDraftConfidence: 0, stateFile: null },
        });
        engine = await LocalEngine.load(config, "/");
    });
    afterAll(async () => {
        await engine.dispose();
    });

    const model = () => engine.target.model;
    const idOf = (text: string): Token => model().tokenize(text, true)[0]!;

    it.runIf(expectedPrompt[family] !== undefined)("renders chat as its template does", () => {
        const rendered = renderChat(model(), [system, user]);
        expect(model().detokenize(rendered.tokens as Token[], true)).toBe(expectedPrompt[family]);
        expect(rendered.tokens).toEqual(model().tokenize(expectedPrompt[family]!, true));
    });

    it("resolves its chat wrapper once (resolving a Jinja template costs seconds)", () => {
        expect(chatWrapperFor(model())).toBe(chatWrapperFor(model()));
        expect(engine.models()[0]!.capabilities!.chatTemplate).toBe(chatWrapperFor(model()).wrapperName);
    });

    it.runIf(family === "phi3")("never drops a system message the template has no place for", () => {
        const text = model().detokenize(renderChat(model(), [system, user]).tokens as Token[], true);
        expect(text).toContain("You write Python.");
        expect(text).toMatch(/^<s><\|user\|>.*Add two numbers\.<\|end\|>.*<\|assistant\|>$/s);
    });

    it.runIf(facts.chat)("its end-of-turn token ends generation", () => {
        const id = idOf(facts.endOfTurn);
        expect(model().detokenize([id], true)).toBe(facts.endOfTurn);
        expect(model().isEogToken(id)).toBe(true);
    });

    it("reads its fill-in-the-middle tokens from the GGUF metadata (or has none)", () => {
        const infill = model().tokens.infill;
        if (facts.fim === null) {
            expect([infill.prefix, infill.suffix, infill.middle]).toEqual([null, null, null]);
        } else {
            expect([infill.prefix, infill.suffix, infill.middle]).toEqual([
                idOf(facts.fim.prefix),
                idOf(facts.fim.suffix),
                idOf(facts.fim.middle),
            ]);
        }
    });

    it.runIf(facts.fim !== null)("lays out a fill-in-the-middle prompt as llama.cpp's /infill does", () => {
        const tokens = infillTokensOf(model())!;
        const parts = { prefix: "def f(", suffix: ")\n", extraContext: [{ name: "a.py", text: "X = 1\n" }] };
        const laid = infillPrompt(tokens, parts, (text) => model().tokenize(text, false));
        const { prefix, suffix, middle } = facts.fim!;
        const repoLevel = family === "qwen25coder" || family === "starcoder";
        const [rep, sep] =
            family === "qwen25coder" ? ["<|repo_name|>", "<|file_sep|>"] : ["<repo_name>", "<file_sep>"];
        const expected = repoLevel
            ? `${rep}myproject\n${sep}a.py\nX = 1\n${sep}filename\n${prefix}def f(${suffix})\n${middle}`
            : `\n\n--- snippet ---\n\nX = 1\n${prefix}def f(${suffix})\n${middle}`;
        const bos = model().tokens.shouldPrependBosToken ? model().tokens.bosString! : "";
        expect(model().detokenize(laid as Token[], true)).toBe(bos + expected);
    });

    it.runIf(facts.fim === null)("has no FIM layout (requests with a suffix are refused)", () => {
        expect(infillTokensOf(model())).toBeUndefined();
    });

    it("reports the same-family draft as direct (and another family's as translated)", () => {
        const loaded = engine.models().filter((m) => m.role === "draft");
        expect(loaded.find((d) => d.id === "same-family")).toMatchObject({
            draftMode: "direct",
            loaded: true,
            compatibility: { verdict: "identical" },
        });
        if (cross === undefined) return;
        expect(loaded.find((d) => d.id === "cross-family")).toMatchObject({
            draftMode: "translated",
            loaded: true,
            compatibility: { verdict: "incompatible" },
        });
    });

    it("decodes speculatively exactly as plain, with its drafts (temperature 0)", async () => {
        const prompt = facts.chat ? renderChat(model(), [system, user]).tokens : "def add(a, b):\n    return";
        const plain = await collect(engine, { prompt, maxTokens: 24, speculation: { mode: "off" } });
        expect(plain.tokens.length).toBeGreaterThan(0);
        for (const draftModel of drafts) {
            const spec = await collect(engine, {
                prompt,
                maxTokens: 24,
                speculation: { mode: "draft_model", draftModel, maxDraftTokens: 4 },
            });
            expect(spec.tokens, draftModel).toEqual(plain.tokens);
            expect(spec.last.finish!.stats.spec.draftTokens, draftModel).toBeGreaterThan(0);
        }
    });

    // Qwen 2.5 is the family whose template has its own tool syntax (`<tool_call>` JSON); the others use
    // node-llama-cpp's default `||call: `, which the bundled pair covers over gRPC (with speculation).
    // Decoding under a grammar asks for the full probability map per position (151k entries here): one
    // plain run keeps this short.
    it.runIf(family === "qwen25coder")(
        "round-trips a grammar-forced tool call in its template's syntax",
        async () => {
            const plain = await collect(engine, {
                messages: [user],
                tools: [
                    {
                        name: "open_file",
                        description: "Open a file",
                        parametersJson: JSON.stringify(openFile),
                    },
                ],
                toolChoice: { name: "open_file" },
                maxTokens: 64,
                speculation: { mode: "off" },
            });
            const finish = plain.last.finish!;
            expect(finish.reason).toBe("tool_calls");
            expect(finish.toolCalls).toHaveLength(1);
            expect(finish.toolCalls![0]!.name).toBe("open_file");
            const args = JSON.parse(finish.toolCalls![0]!.argumentsJson) as Record<string, unknown>;
            expect(["a.py", "b.py"]).toContain(args.path);
            const raw = model().detokenize(plain.tokens as Token[], true);
            expect(raw).toBe(
                `<tool_call>\n{"name": "open_file", "arguments": ${finish.toolCalls![0]!.argumentsJson}}\n</tool_call>`,
            );
            expect(plain.text).toBe("");
        },
    );

    it.runIf(family === "qwen25coder")(
        "compiles a tool set's forced-call grammar once (agents resend the same tools every turn)",
        async () => {
            const prompts = new ChatPrompts(engine.llama, model(), () => undefined);
            const request = (schema: object) => ({
                messages: [user],
                tools: [{ name: "open_file", parametersJson: JSON.stringify(schema) }],
                toolChoice: { name: "open_file" },
            });
            const first = await prompts.prepare(request(openFile));
            const again = await prompts.prepare(request(openFile));
            expect(first!.grammar).toBeDefined();
            expect(again!.grammar).toBe(first!.grammar);
            const other = await prompts.prepare(request({ ...openFile, required: [] }));
            expect(other!.grammar).not.toBe(first!.grammar);
        },
    );
});
