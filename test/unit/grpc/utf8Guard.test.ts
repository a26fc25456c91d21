import { describe, expect, it } from "vitest";
import { loadInferenceProto } from "../../../src/grpc/loadProto.js";
import { findInvalidUtf8, guardUtf8 } from "../../../src/grpc/utf8Guard.js";

const proto = loadInferenceProto();
const requestType = proto.root.lookupType("tiercel.v1.GenerateRequest");

/** A length-delimited field: tag, length, bytes (all lengths here are < 128). */
const field = (id: number, bytes: readonly number[] | Buffer): Buffer =>
    Buffer.concat([Buffer.from([(id << 3) | 2, bytes.length]), Buffer.from(bytes)]);
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

describe("guardUtf8", () => {
    const guard = guardUtf8(proto.service, proto.root);
    const method = guard.definition.Generate;

    it("remembers the bad field of a decoded request and nothing for a valid one", () => {
        const bad = method.requestDeserialize(field(1, [0x61, 0xff]));
        expect(guard.invalidField(bad)).toBe("prompt");
        const good = method.requestDeserialize(field(1, text("a\uFFFD")));
        expect(good.prompt).toBe("a\uFFFD");
        expect(guard.invalidField(good)).toBeUndefined();
    });

    it("keeps every method and its serializers", () => {
        expect(Object.keys(guard.definition).sort()).toEqual(Object.keys(proto.service).sort());
        expect(guard.definition.Tokenize.responseSerialize).toBe(proto.service.Tokenize.responseSerialize);
    });
});
