/**
 * The tool-call syntax of a chat wrapper, as plain text: node-llama-cpp's `ChatWrapper.settings.functions`
 * (the same settings its LlamaChat detects and constrains calls with), e.g. Llama 3's
 * `||call: NAME(ARGS)` or Qwen's `<tool_call>\n{"name": "NAME", "arguments": ARGS}\n</tool_call>`.
 * Special-token text in the settings (Qwen's `<tool_call>`) is kept as its text: the grammar matches a
 * special token by its text, and tool requests are detokenized with special tokens shown, so the parser
 * sees it (LocalEngine.ts).
 */
import { LlamaText, SpecialTokensText, type ChatWrapper } from "node-llama-cpp";

export interface ToolCallSyntax {
    /** Opens a call, e.g. `||call: `. */
    prefix: string;
    /** Other openings that also mark a call when parsing (never generated under a grammar). */
    prefixAlternates: readonly string[];
    /** Whether a space may come between the opening and the name (parsing only). */
    optionalPrefixSpace: boolean;
    /** Between the name and the JSON arguments, e.g. `(`. */
    paramsPrefix: (name: string) => string;
    /** Closes a call, e.g. `)`. */
    suffix: string;
    /** Before the first of parallel calls (empty for most families). */
    sectionPrefix: string;
    /** Between parallel calls. */
    betweenCalls: string;
}

/**
 * The wrapper's syntax, or undefined when part of it is a built-in special token (BOS, EOS) that has no
 * fixed text: such a wrapper cannot take tools.
 */
export function toolCallSyntaxOf(wrapper: ChatWrapper): ToolCallSyntax | undefined {
    const { call, parallelism } = wrapper.settings.functions;
    const prefix = textOf(call.prefix);
    const paramsPrefix = textOf(call.paramsPrefix);
    const suffix = textOf(call.suffix);
    const sectionPrefix = textOf(parallelism?.call.sectionPrefix ?? "");
    const betweenCalls = textOf(parallelism?.call.betweenCalls ?? "");
    const alternates = (call.prefixAlternateMatches ?? []).map(textOf);
    if (
        prefix === undefined ||
        prefix === "" ||
        paramsPrefix === undefined ||
        suffix === undefined ||
        sectionPrefix === undefined ||
        betweenCalls === undefined ||
        alternates.some((a) => a === undefined || a === "")
    )
        return undefined;
    return {
        prefix,
        prefixAlternates: alternates as string[],
        optionalPrefixSpace: call.optionalPrefixSpace,
        paramsPrefix: (name) => paramsPrefix.replaceAll("{{functionName}}", name),
        suffix,
        sectionPrefix,
        betweenCalls,
    };
}

/** The text of a setting (strings and special-token text), or undefined if it holds a built-in token. */
function textOf(value: string | LlamaText): string | undefined {
    let out = "";
    for (const part of LlamaText(value).values) {
        if (typeof part === "string") out += part;
        else if (part instanceof SpecialTokensText) out += part.value;
        else return undefined;
    }
    return out;
}
