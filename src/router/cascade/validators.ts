/**
 * Cheap validators a cascade runs on a cheaper tier's answer (FrugalGPT's "scorer", without a model):
 * each returns undefined when the answer passes, else a short reason for the routing record. They read
 * the answer's text parts; tool calls count only for `non_empty`.
 *
 * The TypeScript validator parses with the TypeScript compiler API (`transpileModule` with
 * `reportDiagnostics`: syntax errors only, no type checking, no file system). The compiler is ~9 MB of
 * JavaScript, so it is imported on first use, not when the router loads.
 */
import type { CompletionResult } from "../../chat/types.js";
import { fencedBlocks } from "./fencedBlocks.js";

export type ValidatorName = "non_empty" | "json" | "typescript";

export function answerText(result: CompletionResult): string {
    let text = "";
    for (const part of result.content) if (part.type === "text") text += part.text;
    return text;
}

/** Passes when the answer has non-whitespace text or a tool call. */
export function validateNonEmpty(result: CompletionResult): string | undefined {
    if (result.content.some((p) => p.type === "tool_call")) return undefined;
    return answerText(result).trim() === "" ? "the answer is empty" : undefined;
}

function jsonError(text: string): string | undefined {
    try {
        JSON.parse(text);
        return undefined;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
}

/**
 * Passes when the whole answer is JSON, or else when it has fenced blocks tagged `json` (untagged ones
 * when none is tagged) and every one of them parses. An answer with neither fails: there is no JSON.
 */
export function validateJson(text: string): string | undefined {
    const trimmed = text.trim();
    if (trimmed !== "" && jsonError(trimmed) === undefined) return undefined;
    const blocks = fencedBlocks(text);
    const tagged = blocks.filter((b) => b.lang === "json");
    const candidates = tagged.length > 0 ? tagged : blocks.filter((b) => b.lang === "");
    if (candidates.length === 0) return "no JSON: the answer is not JSON and has no json code block";
    for (const [i, block] of candidates.entries()) {
        const error = jsonError(block.code);
        if (error !== undefined) return `json block ${i + 1} does not parse: ${error}`;
    }
    return undefined;
}

/** Fence languages parsed as TypeScript/JavaScript, and the file extension each is parsed as. */
const scriptExtensions: Readonly<Record<string, string>> = {
    "": ".ts",
    ts: ".ts",
    typescript: ".ts",
    mts: ".ts",
    cts: ".ts",
    tsx: ".tsx",
    js: ".js",
    javascript: ".js",
    mjs: ".js",
    cjs: ".js",
    node: ".js",
    jsx: ".jsx",
};

type TypeScript = typeof import("typescript");
let typescript: Promise<TypeScript> | undefined;

/** The compiler, imported once on first use. */
export function loadTypeScript(): Promise<TypeScript> {
    typescript ??= import("typescript").then((m) => m.default);
    return typescript;
}

/**
 * Passes when every TypeScript/JavaScript fenced block (untagged ones included) parses without syntax
 * errors; an answer without any fence is parsed whole. Blocks in other languages are not checked.
 */
export async function validateTypeScript(text: string): Promise<string | undefined> {
    const blocks = fencedBlocks(text);
    const sources =
        blocks.length === 0
            ? [{ code: text, extension: ".ts", label: "the answer" }]
            : blocks.flatMap((b, i) => {
                  const extension = scriptExtensions[b.lang];
                  return extension === undefined
                      ? []
                      : [{ code: b.code, extension, label: `code block ${i + 1}` }];
              });
    if (sources.length === 0) return undefined;
    const ts = await loadTypeScript();
    for (const [i, source] of sources.entries()) {
        const output = ts.transpileModule(source.code, {
            fileName: `answer${i}${source.extension}`,
            reportDiagnostics: true,
            compilerOptions: {
                target: ts.ScriptTarget.ESNext,
                module: ts.ModuleKind.ESNext,
                jsx: ts.JsxEmit.Preserve,
                noResolve: true,
                noLib: true,
            },
        });
        const error = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
        if (error) {
            const message = ts.flattenDiagnosticMessageText(error.messageText, " ");
            const where =
                error.file && error.start !== undefined
                    ? ` at line ${error.file.getLineAndCharacterOfPosition(error.start).line + 1}`
                    : "";
            return `${source.label} has a syntax error${where}: ${message} (TS${error.code})`;
        }
    }
    return undefined;
}
