/**
 * Checks a response_format JSON Schema against what node-llama-cpp's JSON-schema grammar enforces, and
 * returns the schema in its form. node-llama-cpp ignores keywords it does not know (a `pattern` or a
 * `minimum` would be dropped silently and the output could break the schema), so every keyword it
 * cannot enforce is refused here with its path and what to change. Pure.
 *
 * Accepted: `type` (string, number, integer, boolean, null, object, array; or a list of the scalar
 * types), `const`, `enum`, `oneOf`, `anyOf` (compiled as `oneOf`: a grammar alternation, which is
 * anyOf's meaning), `properties`, `required`, `additionalProperties`, `minProperties`,
 * `maxProperties`, `items`, `prefixItems`, `minItems`, `maxItems`, `minLength`, `maxLength`, `format`
 * (date-time, time, date), `$ref` to `#/$defs/...` (or draft-07's `#/definitions/...`), `$defs` (or
 * `definitions`), and annotations (`description`, `title`,
 * `$schema`, `$id`, `$comment`, `default`, `examples`).
 *
 * Tool parameters are checked `describeUnenforced`: a tool's schema is a description for the model, not a
 * contract on its output (Anthropic's tools and OpenAI's non-strict ones are not enforced either), and
 * agents send keywords no grammar here enforces (Claude Code's WebFetch `format: "uri"`, MCP servers'
 * `minimum`, `pattern`, `uniqueItems`). Refusing them made every request with such a tool fail on the
 * local tier, with no fallback (a caller's error is not retried elsewhere). So each such keyword leaves the
 * grammar and is written into its node's `description` instead, where the model reads it; the grammar
 * still enforces the rest, and the caller's tool checks its arguments as it would a hosted model's.
 */
import type { GbnfJsonSchema } from "node-llama-cpp";
import { ErrorCode } from "../errors/codes.js";
import { InvalidArgumentError, ServiceError } from "../errors/ServiceError.js";

const annotations = new Set(["description", "title", "$schema", "$id", "$comment", "default", "examples"]);
const scalarTypes = new Set(["string", "number", "integer", "boolean", "null"]);
const keywordsByType: Record<string, readonly string[]> = {
    string: ["minLength", "maxLength", "format"],
    number: [],
    integer: [],
    boolean: [],
    null: [],
    object: ["properties", "required", "additionalProperties", "minProperties", "maxProperties"],
    array: ["items", "prefixItems", "minItems", "maxItems"],
};
const formats = new Set(["date-time", "time", "date"]);

export interface CheckJsonSchemaOptions {
    /**
     * Keywords the grammar cannot enforce move into the node's `description` instead of being refused
     * (tool parameters; see above). Defaults to `false`: refused (response_format, an output contract).
     */
    describeUnenforced?: boolean;
}

/** `schema` is parsed JSON; `where` names it in messages (e.g. "response_format.json_schema"). */
export function checkJsonSchema(
    schema: unknown,
    where: string,
    options: CheckJsonSchemaOptions = {},
): GbnfJsonSchema {
    // Definitions under draft 2020-12's `$defs` or draft-07's `definitions` (zod-to-json-schema writes the
    // latter): both become `$defs`, the one node-llama-cpp resolves.
    const defs = new Set<string>();
    if (isObject(schema))
        for (const key of ["$defs", "definitions"] as const) {
            const entries = schema[key];
            if (isObject(entries)) for (const name of Object.keys(entries)) defs.add(name);
        }
    const context = { where, defs, describe: options.describeUnenforced === true };
    return check(schema, "$", context) as GbnfJsonSchema;
}

interface CheckContext {
    where: string;
    defs: Set<string>;
    describe: boolean;
}

function check(given: unknown, path: string, context: CheckContext): Record<string, unknown> {
    const { where, defs } = context;
    const node = unwrapAllOf(given);
    const fail = (what: string): never => {
        throw new InvalidArgumentError(`${where}: ${path}${what}`);
    };
    /** A valid keyword the grammar cannot enforce: another target may (E_SCHEMA_UNSUPPORTED). */
    const unenforceable = (what: string): never => {
        throw new ServiceError(ErrorCode.SchemaUnsupported, `${where}: ${path}${what}`);
    };
    /** Keywords left out of the grammar and described instead (`describeUnenforced`). */
    const described: string[] = [];
    if (!isObject(node))
        return fail(" must be a schema object (booleans and other values are not supported)");
    const out: Record<string, unknown> = {};
    const kind = kindOf(node, fail);
    const allowed = new Set<string>([
        ...annotations,
        "$defs",
        "definitions",
        ...(kind ? (keywordsByType[kind] ?? []) : []),
    ]);
    for (const [key, value] of Object.entries(node)) {
        const at = `${path}.${key}`;
        if (key === "type" || key === "const" || key === "enum") {
            out[key] = value;
        } else if (key === "oneOf" || key === "anyOf") {
            if (!Array.isArray(value) || value.length === 0)
                fail(`.${key} must be a non-empty array of schemas`);
            out.oneOf = (value as unknown[]).map((s, i) => check(s, `${at}[${i}]`, context));
        } else if (key === "$ref") {
            const prefix =
                typeof value !== "string"
                    ? undefined
                    : refPrefixes.find((p) => value.startsWith(p) && defs.has(value.slice(p.length)));
            if (prefix === undefined)
                fail(`.$ref ${JSON.stringify(value)} must point into the root's $defs ("#/$defs/<name>")`);
            // node-llama-cpp resolves "#/$defs/" only: draft-07's "#/definitions/" is the same place here.
            out.$ref = `#/$defs/${(value as string).slice(prefix!.length)}`;
        } else if (key === "$defs" || key === "definitions") {
            if (!isObject(value)) fail(`.${key} must be an object of schemas`);
            out.$defs = {
                ...(out.$defs as Record<string, unknown> | undefined),
                ...Object.fromEntries(
                    Object.entries(value as Record<string, unknown>).map(([k, s]) => [
                        k,
                        check(s, `${at}.${k}`, context),
                    ]),
                ),
            };
        } else if (annotations.has(key)) {
            out[key] = value;
        } else if (!allowed.has(key)) {
            if (context.describe) {
                described.push(`${key} ${describedValue(value)}`);
                continue;
            }
            unenforceable(
                `.${key} is not supported${kind ? ` for type "${kind}"` : ""}: the local tier's JSON grammar cannot enforce it; remove it (or describe the constraint in "description")`,
            );
        } else if (key === "properties") {
            if (!isObject(value)) fail(".properties must be an object of schemas");
            out.properties = Object.fromEntries(
                Object.entries(value as Record<string, unknown>).map(([k, s]) => [
                    k,
                    check(s, `${at}.${k}`, context),
                ]),
            );
        } else if (key === "items" || key === "additionalProperties") {
            out[key] =
                typeof value === "boolean" && key === "additionalProperties"
                    ? value
                    : check(value, at, context);
        } else if (key === "prefixItems") {
            if (!Array.isArray(value)) fail(".prefixItems must be an array of schemas");
            out.prefixItems = (value as unknown[]).map((s, i) => check(s, `${at}[${i}]`, context));
        } else if (key === "required") {
            if (!Array.isArray(value) || !value.every((k) => typeof k === "string"))
                fail(".required must be an array of property names");
            out.required = value;
        } else if (key === "format") {
            if ((typeof value !== "string" || !formats.has(value)) && context.describe) {
                described.push(`format ${describedValue(value)}`);
                continue;
            }
            if (typeof value !== "string" || !formats.has(value))
                unenforceable(
                    `.format ${JSON.stringify(value)} is not supported; use date-time, time or date, or remove it`,
                );
            out.format = value;
        } else {
            if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
                fail(`.${key} must be a non-negative integer`);
            out[key] = value;
        }
    }
    const typed = ["type", "const", "enum", "oneOf", "anyOf", "$ref"].some((key) => key in node);
    if (!typed && context.describe) {
        // Any JSON value (`{}`, what zod writes for z.any()), or only keywords described above.
        const own =
            typeof out.description === "string" && out.description !== "" ? out.description : undefined;
        const description = [own, described.length > 0 ? `(also: ${described.join(", ")})` : undefined]
            .filter((part) => part !== undefined)
            .join(" ");
        return description === "" ? { ...anyJson } : { ...anyJson, description };
    }
    if (!typed) fail(" needs one of type, const, enum, oneOf, anyOf or $ref");
    if (described.length > 0) {
        const own =
            typeof out.description === "string" && out.description !== "" ? `${out.description} ` : "";
        out.description = `${own}(also: ${described.join(", ")})`;
    }
    return out;
}

/** The node's single `type`, when it has one; checks the `type`, `const` and `enum` values. */
function kindOf(node: Record<string, unknown>, fail: (what: string) => never): string | undefined {
    const type = node.type;
    if ("const" in node && !isScalar(node.const)) fail(".const must be a string, number, boolean or null");
    if ("enum" in node && (!Array.isArray(node.enum) || node.enum.length === 0 || !node.enum.every(isScalar)))
        fail(".enum must be a non-empty array of strings, numbers, booleans or nulls");
    if (type === undefined) return undefined;
    if (Array.isArray(type)) {
        if (type.length === 0 || !type.every((t) => typeof t === "string" && scalarTypes.has(t)))
            fail(
                `.type ${JSON.stringify(type)}: a list of types may hold only string, number, integer, boolean and null; use oneOf for objects and arrays`,
            );
        return type.length === 1 ? (type[0] as string) : "scalars";
    }
    if (typeof type !== "string" || !(type in keywordsByType))
        fail(
            `.type ${JSON.stringify(type)} is not a JSON Schema type; use string, number, integer, boolean, null, object or array`,
        );
    return type;
}

/** Any JSON value, as the grammar can say it (a tool schema's `{}`; see `describeUnenforced`). */
const anyJson = {
    oneOf: [
        { type: ["string", "number", "boolean", "null"] },
        { type: "object", additionalProperties: true },
        { type: "array" },
    ],
} as const;

/**
 * `{allOf: [schema], ...annotations}` is that schema with those annotations: what older generators
 * (pydantic 1) write for a described reference. Anything else stays as it is (a longer `allOf` is then
 * refused or described as a keyword the grammar cannot enforce).
 */
function unwrapAllOf(node: unknown): unknown {
    if (!isObject(node) || !Array.isArray(node.allOf) || node.allOf.length !== 1) return node;
    const [inner] = node.allOf as unknown[];
    const { allOf: _allOf, ...rest } = node;
    if (!isObject(inner) || !Object.keys(rest).every((key) => annotations.has(key))) return node;
    return { ...inner, ...rest };
}

/** Longest value written into a description (a whole `patternProperties` or `if`/`then` can be kilobytes). */
const describedValueChars = 200;

function describedValue(value: unknown): string {
    const json = JSON.stringify(value);
    return json.length <= describedValueChars ? json : `${json.slice(0, describedValueChars)}…`;
}

/** Where a `$ref` may point: a name under the root's `$defs` or (draft-07) `definitions`. */
const refPrefixes = ["#/$defs/", "#/definitions/"];

function isScalar(value: unknown): boolean {
    return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
