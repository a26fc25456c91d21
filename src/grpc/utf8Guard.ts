/**
 * Rejects requests whose string fields are not valid UTF-8 (proto3 requires it). protobufjs decodes
 * strings leniently on Node (Buffer#utf8Slice turns bad bytes into U+FFFD), so by the time a handler sees
 * the request the damage is invisible, and a prompt would silently differ from what the client sent.
 *
 * The guard wraps each method's request deserializer. Fast path: a decoded request without U+FFFD
 * anywhere was valid. Only when one appears (rare: a real U+FFFD or bad bytes) is the wire message
 * walked and each string field's bytes checked, and the first bad field remembered for the handler.
 */
import { isUtf8 } from "node:buffer";
import type { ServiceDefinition } from "@grpc/grpc-js";
import protobuf from "protobufjs";

const replacementChar = "\uFFFD";

/** The path (e.g. `messages[1].content`) of the first string field that is not valid UTF-8. */
export function findInvalidUtf8(type: protobuf.Type, bytes: Uint8Array, prefix = ""): string | undefined {
    const reader = protobuf.Reader.create(bytes);
    const seen = new Map<number, number>();
    while (reader.pos < reader.len) {
        const tag = reader.uint32();
        const wireType = tag & 7;
        const field = type.fieldsById[tag >>> 3];
        const nested = field?.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
        if (wireType !== 2 || field === undefined || (field.type !== "string" && nested === undefined)) {
            reader.skipType(wireType);
            continue;
        }
        const value = reader.bytes();
        const index = seen.get(field.id) ?? 0;
        seen.set(field.id, index + 1);
        const path = `${prefix}${field.name}${field.repeated ? `[${index}]` : ""}`;
        const bad = nested ? findInvalidUtf8(nested, value, `${path}.`) : isUtf8(value) ? undefined : path;
        if (bad !== undefined) return bad;
    }
    return undefined;
}

function hasReplacementChar(value: unknown): boolean {
    if (typeof value === "string") return value.includes(replacementChar);
    if (Array.isArray(value)) return value.some(hasReplacementChar);
    if (value !== null && typeof value === "object") return Object.values(value).some(hasReplacementChar);
    return false;
}

export interface Utf8Guard<D extends ServiceDefinition> {
    /** The definition to register: same methods, guarded deserializers. */
    readonly definition: D;
    /** The invalid field of a request this guard decoded, or undefined when it was valid UTF-8. */
    readonly invalidField: (request: object) => string | undefined;
}

/** Guards every method of `definition`, whose request types are looked up in `root` by method path. */
export function guardUtf8<D extends ServiceDefinition>(definition: D, root: protobuf.Root): Utf8Guard<D> {
    const invalid = new WeakMap<object, string>();
    const guarded: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(definition)) {
        // path = "/package.Service/Method"
        const [serviceName = "", methodName = ""] = method.path.slice(1).split("/");
        const requestType = root.lookupService(serviceName).methods[methodName]?.resolvedRequestType;
        if (!requestType) throw new Error(`utf8Guard: no request type for ${method.path}`);
        const deserialize = method.requestDeserialize;
        guarded[name] = {
            ...method,
            requestDeserialize: (bytes: Buffer): unknown => {
                const request: unknown = deserialize(bytes);
                if (request !== null && typeof request === "object" && hasReplacementChar(request)) {
                    const field = findInvalidUtf8(requestType, bytes);
                    if (field !== undefined) invalid.set(request, field);
                }
                return request;
            },
        };
    }
    return {
        definition: guarded as D,
        invalidField: (request) => invalid.get(request),
    };
}
