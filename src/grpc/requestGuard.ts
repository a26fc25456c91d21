/**
 * Checks each request's wire bytes before the handler sees it, for what decoding hides:
 * - a field sent with another wire type than its declaration (findWireTypeMismatch.ts): protobufjs would
 *   decode it as unset, or from the wrong bytes;
 * - bytes that are not a protobuf message at all (a length past the end, an invalid wire type);
 * - string fields that are not valid UTF-8 (findInvalidUtf8.ts): protobufjs would turn them into U+FFFD.
 *
 * The guard wraps each method's request deserializer. A refused request is replaced by the request
 * type's defaults, and the problem is remembered for the handler, which answers INVALID_ARGUMENT
 * (throwing from a deserializer makes grpc-js answer INTERNAL with no message). Cost per request: the
 * wire-type walk reads tags and skips values (a large prompt is one skip); the UTF-8 walk runs only when
 * the decoded request contains U+FFFD (rare: a real U+FFFD or bad bytes).
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { findInvalidUtf8 } from "./findInvalidUtf8.js";
import { findWireTypeMismatch } from "./findWireTypeMismatch.js";

const replacementChar = "\uFFFD";

const wireTypeNames: Readonly<Record<number, string>> = {
    0: "varint",
    1: "64-bit",
    2: "length-delimited",
    3: "group start",
    4: "group end",
    5: "32-bit",
};

const wireType = (n: number): string => `wire type ${n} (${wireTypeNames[n] ?? "invalid"})`;

function hasReplacementChar(value: unknown): boolean {
    if (typeof value === "string") return value.includes(replacementChar);
    if (Array.isArray(value)) return value.some(hasReplacementChar);
    if (value !== null && typeof value === "object") return Object.values(value).some(hasReplacementChar);
    return false;
}

/** What is wrong with `bytes` as an encoded `type`, as a message for the client; undefined when nothing. */
export function wireProblem(type: protobuf.Type, bytes: Uint8Array): string | undefined {
    const regenerate = `the client's definition of ${type.fullName.slice(1)} does not match the server's; regenerate it from proto/tiercel/v1/inference.proto`;
    try {
        const mismatch = findWireTypeMismatch(type, bytes);
        if (mismatch === undefined) return undefined;
        return `${mismatch.path} arrived as ${wireType(mismatch.sent)} but is declared as ${wireType(mismatch.expected)}; ${regenerate}`;
    } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        return `the request is not an encoded ${type.fullName.slice(1)} (${reason}); ${regenerate}`;
    }
}

export interface RequestGuard<D extends ServiceDefinition> {
    /** The definition to register: same methods, guarded deserializers. */
    readonly definition: D;
    /** What was wrong with a request this guard decoded (a message saying what to fix), or undefined. */
    readonly problem: (request: object) => string | undefined;
}

/** Guards every method of `definition`, whose request types are looked up in `root` by method path. */
export function guardRequests<D extends ServiceDefinition>(
    definition: D,
    root: protobuf.Root,
): RequestGuard<D> {
    const problems = new WeakMap<object, string>();
    const guarded: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(definition)) {
        // path = "/package.Service/Method"
        const [serviceName = "", methodName = ""] = method.path.slice(1).split("/");
        const requestType = root.lookupService(serviceName).methods[methodName]?.resolvedRequestType;
        if (!requestType) throw new Error(`requestGuard: no request type for ${method.path}`);
        const deserialize = method.requestDeserialize;
        const empty = Buffer.alloc(0);
        guarded[name] = {
            ...method,
            requestDeserialize: (bytes: Buffer): unknown => {
                const wrong = wireProblem(requestType, bytes);
                const request: unknown = deserialize(wrong === undefined ? bytes : empty);
                if (request === null || typeof request !== "object") return request;
                if (wrong !== undefined) {
                    problems.set(request, wrong);
                } else if (hasReplacementChar(request)) {
                    const field = findInvalidUtf8(requestType, bytes);
                    if (field !== undefined)
                        problems.set(request, `${field} is not valid UTF-8; send UTF-8 encoded text`);
                }
                return request;
            },
        };
    }
    return {
        definition: guarded as D,
        problem: (request) => problems.get(request),
    };
}
