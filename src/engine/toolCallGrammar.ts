/**
 * The grammar of exactly one tool call in a wrapper's syntax (tool_choice `required` or a name):
 *
 *     root       ::= "<section prefix><call prefix>" ( tool0-call | tool1-call | ... )
 *     tool0-call ::= "<name><params prefix>" tool0-root "<suffix>"
 *     tool0-root ::= <the tool's JSON-schema grammar, from node-llama-cpp, rules renamed tool0-...>
 *
 * The same pieces node-llama-cpp's LlamaChat uses in its three stages (call prefix, name grammar,
 * FunctionCallParamsGrammar), joined into one grammar so that the engine's grammar-constrained decoding
 * (generate.ts: every position, drafted ones included, chosen among the tokens the grammar allows) forces
 * a call that always parses. Once the suffix is out the grammar is complete and allows only an
 * end-of-generation token, so generation ends right after the call.
 */
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { jsonSchemaGbnf } from "./ResponseGrammars.js";
import type { ResolvedTool } from "./resolveTools.js";
import type { ToolCallSyntax } from "./toolCallSyntax.js";

export async function toolCallGrammar(
    llama: Llama,
    syntax: ToolCallSyntax,
    tools: readonly ResolvedTool[],
): Promise<LlamaGrammar> {
    const alternatives: string[] = [];
    const rules: string[] = [];
    for (const [i, tool] of tools.entries()) {
        const { grammar } = await jsonSchemaGbnf(llama, tool.schema);
        const head = sequence([tool.name + syntax.paramsPrefix(tool.name)]);
        rules.push(`tool${i}-call ::= ${head} tool${i}-root ${sequence([syntax.suffix])}`.trimEnd());
        rules.push(prefixGbnfRules(grammar, `tool${i}-`));
        alternatives.push(`tool${i}-call`);
    }
    const root = `root ::= ${sequence([syntax.sectionPrefix + syntax.prefix])} ( ${alternatives.join(" | ")} )`;
    return llama.createGrammar({ grammar: [root, ...rules].join("\n") });
}

/**
 * Renames every rule of a GBNF grammar (definitions and references) to `prefix + name`, leaving string
 * literals, character classes and repetition counts alone. Pure.
 */
export function prefixGbnfRules(grammar: string, prefix: string): string {
    let out = "";
    let i = 0;
    while (i < grammar.length) {
        const c = grammar[i]!;
        if (c === '"' || c === "[") {
            const close = c === '"' ? '"' : "]";
            let j = i + 1;
            while (j < grammar.length && grammar[j] !== close) j += grammar[j] === "\\" ? 2 : 1;
            out += grammar.slice(i, j + 1);
            i = j + 1;
        } else if (c === "{") {
            const j = grammar.indexOf("}", i);
            out += grammar.slice(i, j + 1);
            i = j + 1;
        } else if (/[a-zA-Z]/.test(c)) {
            let j = i + 1;
            while (j < grammar.length && /[a-zA-Z0-9_-]/.test(grammar[j]!)) j++;
            out += prefix + grammar.slice(i, j);
            i = j;
        } else {
            out += c;
            i++;
        }
    }
    return out;
}

/** GBNF literals of the non-empty texts, space-separated (an empty text adds nothing). */
function sequence(texts: readonly string[]): string {
    return texts
        .filter((t) => t !== "")
        .map(gbnfLiteral)
        .join(" ");
}

/** A GBNF string literal matching `text` exactly. */
export function gbnfLiteral(text: string): string {
    // JSON's escapes are GBNF's, except \b and \f, which GBNF spells as hex.
    return JSON.stringify(text).replace(/\\(.)/g, (escape, c: string) =>
        c === "b" ? "\\x08" : c === "f" ? "\\x0C" : escape,
    );
}
