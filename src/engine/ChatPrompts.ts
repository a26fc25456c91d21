/**
 * Turns a chat request (messages, tools, tool choice) into what a generation runs with, for one target
 * model: the prompt tokens and stop strings of its chat template (renderChat.ts), and, when tools are
 * offered, the tool-call parser for the output (ToolCallStream.ts) and, for tool_choice `required` or a
 * name, the grammar that forces one call (toolCallGrammar.ts). The model's chat wrapper and its tool-call
 * syntax are resolved once (resolving parses the Jinja template). Agents send the same tools on every
 * turn: each tool schema's validator and each forced-call grammar is compiled once and kept (compiling 20
 * agent-sized tool schemas took ~60 ms, all before the prompt pass).
 */
import { LRUCache } from "lru-cache";
import type {
    ChatWrapper,
    GbnfJsonSchema,
    Llama,
    LlamaGrammar,
    LlamaJsonSchemaGrammar,
    LlamaModel,
} from "node-llama-cpp";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import { cachedPromise } from "../util/cachedPromise.js";
import type { Token } from "../speculative/types.js";
import { cachedTokenizer, type ScopedTokenizer } from "./cachedTokenizer.js";
import { chatWrapperFor, renderChat, type RenderedChat } from "./renderChat.js";
import { resolveTools, type ResolvedTool } from "./resolveTools.js";
import { jsonSchemaGbnf } from "./ResponseGrammars.js";
import { toolCallGrammar } from "./toolCallGrammar.js";
import { ToolCallStream } from "./ToolCallStream.js";
import { toolCallSyntaxOf, type ToolCallSyntax } from "./toolCallSyntax.js";
import type { ChatMessage, GenerateRequest } from "./types.js";

export interface PreparedChat {
    tokens: Token[];
    /** The template's plain-text stop strings. */
    stop: readonly string[];
    /** Requests with tools (and tool_choice other than `none`): the parser of this request's output. */
    calls: ToolCallStream | undefined;
    /** tool_choice `required` or a name: the grammar of one call. */
    grammar: LlamaGrammar | undefined;
}

/** Distinct tool schemas kept compiled (an agent offers ~10–30 tools; several agents share a server). */
export const toolSchemaCacheSize = 512;
/** Distinct forced-call tool sets kept compiled. */
export const forcedGrammarCacheSize = 64;

export class ChatPrompts {
    readonly wrapper: ChatWrapper;
    readonly syntax: ToolCallSyntax | undefined;
    readonly #validators = new LRUCache<string, Promise<LlamaJsonSchemaGrammar<GbnfJsonSchema>>>({
        max: toolSchemaCacheSize,
    });
    readonly #forcedGrammars = new LRUCache<string, Promise<LlamaGrammar>>({ max: forcedGrammarCacheSize });
    readonly #llama: Llama;
    readonly #model: LlamaModel;
    readonly #checkBytes: (texts: readonly string[]) => void;
    /** Remembers long text runs: an agent resends its conversation every turn (cachedTokenizer.ts). */
    readonly #tokenizer: ScopedTokenizer;

    /** `checkBytes` refuses message text that cannot fit the context, before the tokenizer runs. */
    constructor(llama: Llama, model: LlamaModel, checkBytes: (texts: readonly string[]) => void) {
        this.#llama = llama;
        this.#model = model;
        this.#checkBytes = checkBytes;
        this.#tokenizer = cachedTokenizer(model.tokenizer);
        this.wrapper = chatWrapperFor(model);
        this.syntax = toolCallSyntaxOf(this.wrapper);
    }

    /**
     * Renders messages (and tools) as Generate would; Tokenize counts chat prompts with it. Long text runs
     * are remembered per cache scope (cachedTokenizer.ts: a remembered run is faster, which a tenant
     * could time).
     */
    render(messages: readonly ChatMessage[], tools: readonly ResolvedTool[] = [], scope = ""): RenderedChat {
        this.#checkBytes([
            ...messages.map((m) => m.content),
            ...tools.map((t) => (t.description ?? "") + JSON.stringify(t.schema)),
        ]);
        const tokenizer = scope === "" ? this.#tokenizer : this.#tokenizer.scoped(scope);
        return renderChat(this.#model, messages, this.wrapper, tools, tokenizer);
    }

    /** Checks the request's chat fields; undefined for a request without messages. */
    async prepare(request: GenerateRequest): Promise<PreparedChat | undefined> {
        const tools = resolveTools(request);
        if (!request.messages) return undefined;
        if (request.prompt !== undefined && request.prompt.length > 0)
            throw new InvalidArgumentError(
                "set either prompt or messages, not both: prompt is a raw completion, messages a chat",
            );
        if (request.suffix !== undefined)
            throw new InvalidArgumentError(
                "suffix (fill-in-the-middle) takes the text before the cursor as prompt, not messages; send prompt, or leave suffix unset for a chat",
            );
        const rendered = this.render(request.messages, tools?.tools, request.cacheScope);
        const prepared = {
            tokens: rendered.tokens,
            stop: rendered.stop,
            calls: undefined,
            grammar: undefined,
        };
        if (!tools || tools.choice === "none") return prepared;
        const syntax = this.syntax;
        if (!syntax)
            throw new InvalidArgumentError(
                `the target's chat template (${this.wrapper.wrapperName}) has no tool-call syntax; send the request without tools`,
            );
        const validators = new Map<string, (json: string) => unknown>();
        for (const tool of tools.tools) {
            const validator = await cachedPromise(this.#validators, JSON.stringify(tool.schema), async () => {
                const { validator } = await jsonSchemaGbnf(this.#llama, tool.schema);
                return validator;
            });
            validators.set(tool.name, (json) => {
                validator.parse(json);
            });
        }
        const forced = tools.choice === "auto" ? undefined : tools.choice.forced;
        const calls = new ToolCallStream({
            syntax,
            names: tools.tools.map((t) => t.name),
            validate: (name, json) => {
                try {
                    validators.get(name)?.(json);
                    return validators.has(name);
                } catch {
                    return false;
                }
            },
            live: forced !== undefined,
        });
        const grammar =
            forced &&
            (await cachedPromise(
                this.#forcedGrammars,
                JSON.stringify(forced.map((t) => [t.name, t.schema])),
                () => toolCallGrammar(this.#llama, syntax, forced),
            ));
        return { ...prepared, calls, grammar };
    }
}
