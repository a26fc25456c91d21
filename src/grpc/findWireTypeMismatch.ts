/**
 * Checks that every known field of an encoded message arrived with the wire type its declaration
 * implies. protobufjs decodes a field by its declared type whatever wire type the tag carries, so a
 * string sent as a varint becomes "" (or bytes borrowed from the next field) instead of an error; a
 * client whose message definition differs from ours would then run with silent defaults.
 *
 * The walk reads tags and skips values: a length-delimited field costs one varint read whatever its size,
 * so a multi-megabyte prompt adds nothing. It descends into nested messages and map entries, which are
 * length-delimited too. Unknown field numbers are skipped (proto3 keeps them as unknown fields). Bytes
 * that are not a protobuf message at all (a length past the end, a bad wire type) throw, as
 * protobufjs's reader does.
 */
import protobuf from "protobufjs";

export interface WireTypeMismatch {
    /** The field's path, e.g. `prompt`, `messages[1].content`, `logit_bias[0].value`. */
    path: string;
    /** The wire type the field arrived with (0 varint, 1 fixed64, 2 length-delimited, 3/4 group, 5 fixed32). */
    sent: number;
    /** The wire type its declaration implies. */
    expected: number;
}

const lengthDelimited = 2;

/** The wire type a field of `type` is encoded with; repeated packable scalars may also come packed (2). */
function expectedWireType(type: string, resolved: protobuf.ReflectionObject | null): number {
    if (resolved instanceof protobuf.Type) return lengthDelimited;
    if (resolved instanceof protobuf.Enum) return 0;
    const basic = (protobuf.types.basic as Record<string, number | undefined>)[type];
    if (basic === undefined) throw new Error(`findWireTypeMismatch: unresolved field type ${type}`);
    return basic;
}

function accepts(field: protobuf.Field, wireType: number): boolean {
    if (field instanceof protobuf.MapField) return wireType === lengthDelimited;
    const expected = expectedWireType(field.type, field.resolvedType);
    if (wireType === expected) return true;
    const packable =
        Object.hasOwn(protobuf.types.packed, field.type) || field.resolvedType instanceof protobuf.Enum;
    return field.repeated && packable && wireType === lengthDelimited;
}

/** A map entry: key = 1, value = 2, each with its declared wire type; the path is relative to the entry. */
function mapEntryMismatch(field: protobuf.MapField, bytes: Uint8Array): WireTypeMismatch | undefined {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
        const tag = reader.uint32();
        const wireType = tag & 7;
        const id = tag >>> 3;
        const expected =
            id === 1
                ? expectedWireType(field.keyType, null)
                : id === 2
                  ? expectedWireType(field.type, field.resolvedType)
                  : undefined;
        if (expected !== undefined && wireType !== expected) {
            return { path: id === 1 ? "key" : "value", sent: wireType, expected };
        }
        if (expected === lengthDelimited && field.resolvedType instanceof protobuf.Type) {
            const nested = findWireTypeMismatch(field.resolvedType, reader.bytes());
            if (nested) return { ...nested, path: `value.${nested.path}` };
            continue;
        }
        reader.skipType(wireType);
    }
    return undefined;
}

/** `name`, or `name[index]` for a repeated or map field. */
function pathOf(field: protobuf.Field, index: number): string {
    return field.repeated || field instanceof protobuf.MapField ? `${field.name}[${index}]` : field.name;
}

/**
 * The first field of `bytes` (an encoded `type`) whose wire type does not match its declaration. Paths
 * are built only for the field reported.
 */
export function findWireTypeMismatch(type: protobuf.Type, bytes: Uint8Array): WireTypeMismatch | undefined {
    const reader = protobuf.Reader.create(bytes);
    /** Occurrences so far per repeated field id, for the index in a path; allocated at the first one. */
    let seen: Map<number, number> | undefined;
    while (reader.pos < reader.len) {
        const tag = reader.uint32();
        const wireType = tag & 7;
        const field = type.fieldsById[tag >>> 3];
        if (field === undefined) {
            reader.skipType(wireType);
            continue;
        }
        const isMap = field instanceof protobuf.MapField;
        let index = 0;
        if (field.repeated || isMap) {
            seen ??= new Map();
            index = seen.get(field.id) ?? 0;
            seen.set(field.id, index + 1);
        }
        if (!accepts(field, wireType)) {
            const expected = isMap ? lengthDelimited : expectedWireType(field.type, field.resolvedType);
            return { path: pathOf(field, index), sent: wireType, expected };
        }
        let nested: WireTypeMismatch | undefined;
        if (isMap) nested = mapEntryMismatch(field, reader.bytes());
        else if (field.resolvedType instanceof protobuf.Type)
            nested = findWireTypeMismatch(field.resolvedType, reader.bytes());
        else reader.skipType(wireType);
        if (nested) return { ...nested, path: `${pathOf(field, index)}.${nested.path}` };
    }
    return undefined;
}
