/**
 * Compiles response formats to llama.cpp grammars, once per distinct schema (agents send the same
 * schema on every turn). A JSON-schema grammar from node-llama-cpp ends its root rule with four
 * newlines and any more (its chat layer stops on them); tiercel drops that tail, so the grammar is
 * complete right after the JSON value and then allows only an end-of-generation token: the output is
 * exactly the JSON, and generation ends with FINISH_REASON_EOS.
 */
import { LRUCache } from "lru-cache";
import type { GbnfJsonSchema, Llama, LlamaGrammar, LlamaJsonSchemaGrammar } from "node-llama-cpp";
import { cachedPromise } from "../util/cachedPromise.js";
import { InvalidArgumentError } from "../errors/ServiceError.js";
import { checkJsonSchema } from "./checkJsonSchema.js";
import type { ResponseFormat } from "./types.js";

/** The tail node-llama-cpp 3.22 appends to a JSON-schema grammar's root rule. */
const jsonGrammarTail = ` "\\n\\n\\n\\n" [\\n]*`;
/** Distinct schemas kept compiled; the least recently used is dropped beyond this. */
export const defaultGrammarCacheSize = 64;
/** `json_object`: any JSON object. */
const anyObject = { type: "object", additionalProperties: true } as const;

export class ResponseGrammars {
    readonly #llama: Llama;
    readonly #cache: LRUCache<string, Promise<LlamaGrammar>>;

    constructor(
        llama: Llama,
        readonly maxSize = defaultGrammarCacheSize,
    ) {
        this.#llama = llama;
        this.#cache = new LRUCache({ max: maxSize });
    }

    /** The grammar of `format`; a schema it cannot enforce is INVALID_ARGUMENT naming what to change. */
    get(format: ResponseFormat): Promise<LlamaGrammar> {
        const key = format.type === "json_object" ? "" : format.schema;
        return cachedPromise(this.#cache, key, () =>
            this.#compile(format.type === "json_object" ? anyObject : parseSchema(format.schema)),
        );
    }

    async #compile(schema: unknown): Promise<LlamaGrammar> {
        const checked = checkJsonSchema(schema, "response_format.json_schema");
        const { grammar } = await jsonSchemaGbnf(this.#llama, checked);
        try {
            return await this.#llama.createGrammar({ grammar });
        } catch (cause) {
            throw new InvalidArgumentError(
                "response_format.json_schema could not be compiled to a grammar; simplify the schema (fewer nested oneOf/$ref levels)",
                { cause },
            );
        }
    }
}

/**
 * The GBNF of a checked schema, complete right after the JSON value (node-llama-cpp's tail dropped), and
 * node-llama-cpp's grammar object for it, whose `parse(json)` validates a JSON text against the schema.
 */
export async function jsonSchemaGbnf(
    llama: Llama,
    schema: GbnfJsonSchema,
): Promise<{ grammar: string; validator: LlamaJsonSchemaGrammar<GbnfJsonSchema> }> {
    // The checked schema is in node-llama-cpp's GbnfJsonSchema form; its generic signature infers a
    // literal schema type, which a schema known only at run time cannot satisfy.
    const createForSchema = llama.createGrammarForJsonSchema.bind(llama) as (
        schema: GbnfJsonSchema,
    ) => Promise<LlamaJsonSchemaGrammar<GbnfJsonSchema>>;
    const validator = await createForSchema(schema);
    const [root, ...rules] = validator.grammar.split("\n");
    if (!root?.startsWith("root ::= ") || !root.endsWith(jsonGrammarTail))
        throw new Error("node-llama-cpp's JSON-schema grammar no longer ends its root rule as expected");
    return { grammar: [root.slice(0, -jsonGrammarTail.length), ...rules].join("\n"), validator };
}

function parseSchema(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch (cause) {
        throw new InvalidArgumentError(
            `response_format.json_schema is not valid JSON (${(cause as Error).message}); send the schema as JSON text`,
        );
    }
}
