/**
 * Finds the first string field of an encoded message whose bytes are not valid UTF-8 (proto3 requires
 * it). protobufjs decodes strings leniently on Node (Buffer#utf8Slice turns bad bytes into U+FFFD), so
 * once a request is decoded the damage is invisible; this walks the wire bytes instead.
 */
import { isUtf8 } from "node:buffer";
import protobuf from "protobufjs";

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
