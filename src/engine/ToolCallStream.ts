/**
 * Parses tool calls out of generated text as it streams, in the chat wrapper's syntax (toolCallSyntax.ts):
 * text up to a call's opening is content; then the tool's name and params prefix, a JSON value (tracked
 * by brace depth outside strings), and the suffix. A call counts once its arguments parse and match the
 * tool's schema (`validate`); a call that does not (an unknown name, broken JSON, a wrong shape, the
 * output ending inside it) is no call: its text is returned as content. So a half call is never passed
 * off as a call.
 *
 * Deltas: with `live` (decoding under the call grammar, where every call completes unless max_tokens cuts
 * it) the name and argument fragments stream as they are generated; otherwise a call's deltas are sent
 * together once it has been validated, so a call that fails never had deltas. Text that may be the start
 * of a call's opening is held back until it is known not to be.
 */
import type { ToolCallSyntax } from "./toolCallSyntax.js";
import type { ToolCall, ToolCallDelta } from "./types.js";

export interface ToolCallStreamOptions {
    syntax: ToolCallSyntax;
    /** The request's tool names. */
    names: readonly string[];
    /** Whether `json` is valid arguments of tool `name` (parses and matches its schema). */
    validate: (name: string, json: string) => boolean;
    /** Stream deltas as generated (see above). */
    live: boolean;
}

export interface ToolCallOutput {
    text: string;
    deltas: ToolCallDelta[];
}

type State = "text" | "name" | "args" | "suffix";

export class ToolCallStream {
    readonly #o: ToolCallStreamOptions;
    readonly #openings: string[];
    readonly calls: ToolCall[] = [];
    #state: State = "text";
    /** Received text not consumed yet. */
    #buffer = "";
    /** The current call's text from its opening (content again if the call fails). */
    #raw = "";
    #name = "";
    #args = "";
    #depth = 0;
    #inString = false;
    #escaped = false;
    /** The current call's deltas not yet sent (all of them until validation when not live). */
    #held: ToolCallDelta[] = [];

    constructor(options: ToolCallStreamOptions) {
        this.#o = options;
        const { prefix, prefixAlternates, sectionPrefix } = options.syntax;
        this.#openings = [
            ...(sectionPrefix === "" ? [] : [sectionPrefix + prefix]),
            prefix,
            ...prefixAlternates,
        ];
    }

    push(text: string): ToolCallOutput {
        this.#buffer += text;
        return this.#run(false);
    }

    /** The rest, at the end of generation: an unfinished call is returned as text. */
    end(): ToolCallOutput {
        const out = this.#run(true);
        if (this.#state !== "text") {
            out.text += this.#raw;
            this.#reset();
        }
        out.text += this.#buffer;
        this.#buffer = "";
        return out;
    }

    #run(final: boolean): ToolCallOutput {
        const out: ToolCallOutput = { text: "", deltas: [] };
        for (;;) {
            const progressed = this.#step(final, out);
            if (progressed === "fail") {
                out.text += this.#raw;
                this.#reset();
            } else if (!progressed) break;
        }
        if (this.#o.live) out.deltas.push(...this.#held.splice(0));
        return out;
    }

    /** One parsing step; false when more text is needed, "fail" when the current call cannot parse. */
    #step(final: boolean, out: ToolCallOutput): boolean | "fail" {
        const buffer = this.#buffer;
        switch (this.#state) {
            case "text": {
                let at = -1;
                let opening = "";
                for (const o of this.#openings) {
                    const i = buffer.indexOf(o);
                    if (i >= 0 && (at < 0 || i < at)) [at, opening] = [i, o];
                }
                if (at < 0) {
                    const keep = final ? 0 : this.#possibleOpeningLength(buffer);
                    out.text += buffer.slice(0, buffer.length - keep);
                    this.#buffer = buffer.slice(buffer.length - keep);
                    return false;
                }
                out.text += buffer.slice(0, at);
                this.#buffer = buffer.slice(at);
                this.#consume(opening.length);
                this.#state = "name";
                return true;
            }
            case "name": {
                const space = this.#o.syntax.optionalPrefixSpace && buffer.startsWith(" ") ? 1 : 0;
                const rest = buffer.slice(space);
                let match: string | undefined;
                let waiting = false;
                for (const name of this.#o.names) {
                    const head = name + this.#o.syntax.paramsPrefix(name);
                    if (rest.startsWith(head)) {
                        if (match === undefined || name.length > match.length) match = name;
                    } else if (head.startsWith(rest)) waiting = true;
                }
                if (match === undefined) return waiting && !final ? false : "fail";
                this.#consume(space + match.length + this.#o.syntax.paramsPrefix(match).length);
                this.#name = match;
                const index = this.calls.length;
                this.#held.push({ index, id: `call_${index}`, name: match, argumentsJson: "" });
                this.#state = "args";
                return true;
            }
            case "args": {
                if (this.#args === "") {
                    const start = buffer.search(/\S/);
                    if (start < 0) return final ? "fail" : false;
                    if (buffer[start] !== "{") {
                        // No arguments: some syntaxes close the call right away (`name()`).
                        if (this.#o.syntax.suffix !== "" && buffer.startsWith(this.#o.syntax.suffix)) {
                            this.#args = "{}";
                            this.#state = "suffix";
                            return true;
                        }
                        return this.#o.syntax.suffix.startsWith(buffer) && !final ? false : "fail";
                    }
                    this.#consume(start);
                }
                let i = 0;
                const text = this.#buffer;
                for (; i < text.length && !(this.#args !== "" && this.#depth === 0); i++) {
                    const c = text[i]!;
                    if (this.#inString) {
                        if (this.#escaped) this.#escaped = false;
                        else if (c === "\\") this.#escaped = true;
                        else if (c === '"') this.#inString = false;
                    } else if (c === '"') this.#inString = true;
                    else if (c === "{" || c === "[") this.#depth++;
                    else if (c === "}" || c === "]") this.#depth--;
                    this.#args += c;
                }
                const fragment = text.slice(0, i);
                if (fragment !== "") this.#held.push({ index: this.calls.length, argumentsJson: fragment });
                this.#consume(i);
                if (this.#depth > 0) return final ? "fail" : false;
                this.#state = "suffix";
                return true;
            }
            case "suffix": {
                const { suffix } = this.#o.syntax;
                if (!buffer.startsWith(suffix)) return suffix.startsWith(buffer) && !final ? false : "fail";
                if (!this.#o.validate(this.#name, this.#args)) return "fail";
                this.#consume(suffix.length);
                const index = this.calls.length;
                this.calls.push({ id: `call_${index}`, name: this.#name, argumentsJson: this.#args });
                out.deltas.push(...this.#held.splice(0));
                this.#reset();
                return true;
            }
        }
    }

    /** Moves `n` characters from the buffer into the current call's raw text. */
    #consume(n: number): void {
        this.#raw += this.#buffer.slice(0, n);
        this.#buffer = this.#buffer.slice(n);
    }

    #reset(): void {
        this.#state = "text";
        this.#raw = "";
        this.#name = "";
        this.#args = "";
        this.#depth = 0;
        this.#inString = false;
        this.#escaped = false;
        this.#held = [];
    }

    /** The longest tail of `text` that is a proper start of some opening (held back as a possible call). */
    #possibleOpeningLength(text: string): number {
        let longest = 0;
        for (const o of this.#openings)
            for (let n = Math.min(o.length - 1, text.length); n > longest; n--)
                if (text.endsWith(o.slice(0, n))) {
                    longest = n;
                    break;
                }
        return longest;
    }
}
