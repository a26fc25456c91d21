import { describe, expect, it } from "vitest";
import { loadInferenceProto } from "../../../src/grpc/loadProto.js";
import { findInvalidUtf8 } from "../../../src/grpc/findInvalidUtf8.js";
import { findWireTypeMismatch } from "../../../src/grpc/findWireTypeMismatch.js";
import { guardRequests } from "../../../src/grpc/requestGuard.js";

const proto = loadInferenceProto();
const requestType = proto.root.lookupType("tiercel.v1.GenerateRequest");

/** A tag as a varint: field numbers up to 2047. */
const tag = (id: number, wireType: number): number[] => {
    const value = (id << 3) | wireType;
    return value < 128 ? [value] : [(value & 0x7f) | 0x80, value >>> 7];
};
/** A length-delimited field: tag, length, bytes (all lengths here are < 128). */
const field = (id: number, bytes: readonly number[] | Buffer): Buffer =>
    Buffer.concat([Buffer.from([...tag(id, 2), bytes.length]), Buffer.from(bytes)]);
/** A varint field with a one-byte value (< 128). */
const varint = (id: number, value: number): Buffer => Buffer.from([...tag(id, 0), value]);
/** A 32-bit field. */
const fixed32 = (id: number): Buffer => Buffer.from([...tag(id, 5), 1, 0, 0, 0]);
const text = (s: string) => Buffer.from(s, "utf8");

describe("findInvalidUtf8", () => {
    it("accepts valid text, including a real U+FFFD and 4-byte characters", () => {
        const bytes = Buffer.concat([field(1, text("a\uFFFDb 🦀")), field(9, text("stop"))]);
        expect(findInvalidUtf8(requestType, bytes)).toBeUndefined();
    });

    it.each([
        ["a lone continuation byte in prompt", field(1, [0x61, 0x80]), "prompt"],
        ["an overlong encoding in model", field(3, [0xc0, 0xaf]), "model"],
        [
            "a truncated sequence in the second stop string",
            Buffer.concat([field(9, text("ok")), field(9, [0xe2, 0x82])]),
            "stop[1]",
        ],
        [
            "a bad byte in a nested message",
            Buffer.concat([
                field(2, field(1, text("user"))),
                field(2, Buffer.concat([field(1, text("user")), field(2, [0xff])])),
            ]),
            "messages[1].content",
        ],
        [
            "an encoded surrogate in speculation.draft_model",
            field(11, field(2, [0xed, 0xa0, 0x80])),
            "speculation.draft_model",
        ],
    ])("finds %s", (_name, bytes, path) => {
        expect(findInvalidUtf8(requestType, bytes)).toBe(path);
    });

    it("skips varint and fixed64 fields", () => {
        // max_tokens = 300 (varint, 2 bytes), temperature = 0.5 (double), then a valid prompt
        const temperature = Buffer.alloc(8);
        temperature.writeDoubleLE(0.5);
        const bytes = Buffer.concat([
            Buffer.from([4 << 3, 0xac, 0x02, (5 << 3) | 1]),
            temperature,
            field(1, text("hi")),
        ]);
        expect(findInvalidUtf8(requestType, bytes)).toBeUndefined();
    });
});

describe("findWireTypeMismatch", () => {
    it("accepts every field of a request protobufjs encoded, and unknown fields of any wire type", () => {
        const request = requestType.fromObject({
            prompt: "hi",
            messages: [{ role: "user", content: "x" }],
            model: "t",
            max_tokens: 300,
            temperature: 0.5,
            top_p: 0.9,
            top_k: 40,
            seed: 7,
            stop: ["a", "b"],
            session_id: "s",
            speculation: { mode: "SPECULATION_MODE_NGRAM", draft_model: "d", max_draft_tokens: 4 },
            return_confidence: true,
            suffix: "}",
            extra_context: [{ name: "a.ts", text: "x" }],
            min_p: 0.1,
            repeat_last_n: 64,
            logit_bias: { 5: -1.5, 9: 2 },
        });
        const bytes = Buffer.concat([
            Buffer.from(requestType.encode(request).finish()),
            varint(99, 1),
            field(100, text("future field")),
            fixed32(101),
        ]);
        expect(findWireTypeMismatch(requestType, bytes)).toBeUndefined();
    });

    it.each([
        ["a string sent as a varint", varint(1, 5), { path: "prompt", sent: 0, expected: 2 }],
        ["a string sent as 32 bits", fixed32(3), { path: "model", sent: 5, expected: 2 }],
        [
            "the second repeated string sent as a varint",
            Buffer.concat([field(9, text("ok")), varint(9, 1)]),
            { path: "stop[1]", sent: 0, expected: 2 },
        ],
        ["a message sent as a varint", varint(11, 1), { path: "speculation", sent: 0, expected: 2 }],
        [
            "a string inside a nested message sent as a varint",
            Buffer.concat([field(2, field(1, text("user"))), field(2, varint(2, 3))]),
            { path: "messages[1].content", sent: 0, expected: 2 },
        ],
        [
            "an int32 inside a nested message sent length-delimited",
            field(11, field(3, [1])),
            { path: "speculation.max_draft_tokens", sent: 2, expected: 0 },
        ],
        ["an int32 sent length-delimited", field(4, text("A")), { path: "max_tokens", sent: 2, expected: 0 }],
        ["a double sent as a varint", varint(5, 1), { path: "temperature", sent: 0, expected: 1 }],
        ["a map sent as a varint", varint(20, 1), { path: "logit_bias[0]", sent: 0, expected: 2 }],
        [
            "a map value sent as a varint",
            field(20, Buffer.concat([varint(1, 5), varint(2, 1)])),
            { path: "logit_bias[0].value", sent: 0, expected: 1 },
        ],
    ])("finds %s", (_name, bytes, mismatch) => {
        expect(findWireTypeMismatch(requestType, bytes)).toEqual(mismatch);
    });

    it("throws on bytes that are not a message (a length past the end)", () => {
        expect(() => findWireTypeMismatch(requestType, Buffer.from([(1 << 3) | 2, 50, 0x61]))).toThrow();
    });
});

describe("guardRequests", () => {
    const guard = guardRequests(proto.service, proto.root);
    const method = guard.definition.Generate;

    it("remembers the bad UTF-8 field of a decoded request and nothing for a valid one", () => {
        const bad = method.requestDeserialize(field(1, [0x61, 0xff]));
        expect(guard.problem(bad)).toBe("prompt is not valid UTF-8; send UTF-8 encoded text");
        const good = method.requestDeserialize(field(1, text("a\uFFFD")));
        expect(good.prompt).toBe("a\uFFFD");
        expect(guard.problem(good)).toBeUndefined();
    });

    it("refuses a wire-type mismatch, naming the field, and hands the handler the defaults", () => {
        const request = method.requestDeserialize(Buffer.concat([varint(1, 0), field(3, text("t"))]));
        expect(request.prompt).toBe("");
        expect(request.model).toBe("");
        expect(guard.problem(request)).toBe(
            "prompt arrived as wire type 0 (varint) but is declared as wire type 2 (length-delimited); the client's definition of tiercel.v1.GenerateRequest does not match the server's; regenerate it from proto/tiercel/v1/inference.proto",
        );
    });

    it("checks every method's own request type", () => {
        const request = guard.definition.Tokenize.requestDeserialize(varint(1, 0));
        expect(guard.problem(request)).toMatch(
            /^text arrived as wire type 0 .* tiercel\.v1\.TokenizeRequest /,
        );
    });

    it("refuses bytes that are not a message instead of throwing (grpc-js would answer INTERNAL)", () => {
        const request = method.requestDeserialize(Buffer.from([(1 << 3) | 2, 50, 0x61]));
        expect(guard.problem(request)).toMatch(
            /^the request is not an encoded tiercel\.v1\.GenerateRequest \(/,
        );
    });

    it("keeps every method and its serializers", () => {
        expect(Object.keys(guard.definition).sort()).toEqual(Object.keys(proto.service).sort());
        expect(guard.definition.Tokenize.responseSerialize).toBe(proto.service.Tokenize.responseSerialize);
    });
});
