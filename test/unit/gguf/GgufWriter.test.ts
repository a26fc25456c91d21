import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    encodeTensorChunk,
    float32ToBf16Bits,
    float32ToF16Bits,
    GgufWriter,
} from "../../../models/build/gguf/GgufWriter.js";

/** Independent IEEE half decoder (not the writer's code path). */
function f16ToNumber(bits: number): number {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) return sign * mantissa * 2 ** -24;
    if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
    return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Deterministic test data with a wide dynamic range per block. */
function values(count: number, seed: number): Float32Array {
    return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 12.9898 + seed) * 10 ** ((i % 7) - 3));
}

describe("float32ToF16Bits", () => {
    it.each([
        [1, 0x3c00],
        [-2, 0xc000],
        [0.1, 0x2e66],
        [65504, 0x7bff],
        [65520, 0x7c00], // rounds up to Inf
        [1e6, 0x7c00],
        [-Infinity, 0xfc00],
        [2 ** -14, 0x0400], // smallest normal
        [2 ** -24, 0x0001], // smallest subnormal
        [2 ** -25, 0x0000], // halfway to 0: ties to even
        [3 * 2 ** -25, 0x0002], // halfway between 1 and 2 subnormal units: ties to even
        [1 + 2 ** -11, 0x3c00], // halfway: ties to even (down)
        [1 + 3 * 2 ** -11, 0x3c02], // halfway: ties to even (up)
        [-0, 0x8000],
    ])("%d → %i", (value, bits) => {
        expect(float32ToF16Bits(value)).toBe(bits);
    });

    it("keeps NaN a NaN", () => {
        expect(Number.isNaN(f16ToNumber(float32ToF16Bits(NaN)))).toBe(true);
    });
});

describe("GgufWriter round trip through node-llama-cpp's reader", () => {
    let dir: string;
    let path: string;
    const f32 = values(15, 1);
    const f16 = values(2 * 64, 2);
    const q8 = values(4 * 96, 3);
    q8.fill(0, 96, 128); // an all-zero block must encode d = 0 without NaNs

    beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "gguf-writer-"));
        path = join(dir, "roundtrip.gguf");
        await new GgufWriter()
            .addUint8("t.u8", 255)
            .addInt8("t.i8", -128)
            .addUint16("t.u16", 65535)
            .addInt16("t.i16", -32768)
            .addUint32("t.u32", 4294967295)
            .addInt32("t.i32", -2147483648)
            .addUint64("t.u64", 2n ** 64n - 1n)
            .addInt64("t.i64", -(2n ** 63n))
            .addFloat32("t.f32", 0.5)
            .addFloat64("t.f64", Math.PI)
            .addBool("t.bool", true)
            .addString("t.str", "héllo ▁ 🦅")
            .addArray("t.arr.u8", "uint8", [0, 1, 255])
            .addArray("t.arr.i32", "int32", [-1, 0, 7])
            .addArray("t.arr.f32", "float32", [0.25, -1.5])
            .addArray("t.arr.f64", "float64", [Math.E])
            .addArray("t.arr.bool", "bool", [true, false])
            .addArray("t.arr.i64", "int64", [-5n, 6])
            .addArray("t.arr.str", "string", ["<s>", "", "▁the", "日本"])
            .addArray("t.arr.empty", "string", [])
            .addTensor("a.f32", [3, 5], f32, "F32")
            .addTensor("b.f16", [2, 64], f16, "F16")
            .addTensor("c.q8", [4, 96], q8, "Q8_0")
            .writeToFile(path);
    });

    afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    it("reads back every metadata type", async () => {
        const info = await readGgufFileInfo(path, { logWarnings: false });
        expect(info.version).toBe(3);
        const metadata = info.metadata as unknown as Record<string, unknown>;
        expect(metadata.general).toEqual({ alignment: 32 });
        expect(metadata.t).toEqual({
            u8: 255,
            i8: -128,
            u16: 65535,
            i16: -32768,
            u32: 4294967295,
            i32: -2147483648,
            u64: 2n ** 64n - 1n,
            i64: -(2n ** 63n),
            f32: 0.5,
            f64: Math.PI,
            bool: true,
            str: "héllo ▁ 🦅",
            arr: {
                u8: [0, 1, 255],
                i32: [-1, 0, 7],
                f32: [0.25, -1.5],
                f64: [Math.E],
                bool: [true, false],
                i64: [-5n, 6n],
                str: ["<s>", "", "▁the", "日本"],
                empty: [],
            },
        });
    });

    it("writes tensor infos in GGUF order, aligned, and decodable", async () => {
        const info = await readGgufFileInfo(path, { logWarnings: false });
        const infoEnd = info.infoEndOffset!;
        expect(infoEnd % 32).toBe(0);
        expect(info.tensorInfo).toEqual([
            {
                name: "a.f32",
                dimensions: [5, 3],
                ggmlType: GgmlType.F32,
                offset: 0,
                fileOffset: infoEnd,
                filePart: 1,
            },
            {
                name: "b.f16",
                dimensions: [64, 2],
                ggmlType: GgmlType.F16,
                offset: 64,
                fileOffset: infoEnd + 64,
                filePart: 1,
            },
            {
                name: "c.q8",
                dimensions: [96, 4],
                ggmlType: GgmlType.Q8_0,
                offset: 320,
                fileOffset: infoEnd + 320,
                filePart: 1,
            },
        ]);
        const bytes = await readFile(path);
        // 60 B of F32 padded to 64, 256 B of F16, 12 blocks * 34 B = 408 B of Q8_0 padded to 416.
        expect(bytes.length).toBe(infoEnd + 320 + 416);

        const readF32 = Array.from({ length: 15 }, (_, i) => bytes.readFloatLE(infoEnd + i * 4));
        expect(readF32).toEqual(Array.from(f32));

        const readF16 = Array.from({ length: f16.length }, (_, i) =>
            f16ToNumber(bytes.readUInt16LE(infoEnd + 64 + i * 2)),
        );
        readF16.forEach((value, i) => {
            const x = f16[i]!;
            // Half keeps 11 significant bits; below 2^-14 the absolute step is 2^-24.
            expect(Math.abs(value - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
        });
    });

    it("quantizes Q8_0 within half a step plus the f16 scale error", async () => {
        const info = await readGgufFileInfo(path, { logWarnings: false });
        const start = info.infoEndOffset! + 320;
        const bytes = await readFile(path);
        for (let block = 0; block < q8.length / 32; block++) {
            const at = start + block * 34;
            const d = f16ToNumber(bytes.readUInt16LE(at));
            const source = q8.subarray(block * 32, block * 32 + 32);
            const amax = Math.max(...Array.from(source, Math.abs));
            // d is max|x|/127 rounded to half; each q is off by ≤ 1/2, and |q| ≤ 127 amplifies d's rounding.
            expect(Math.abs(d - amax / 127)).toBeLessThanOrEqual((amax / 127) * 2 ** -11);
            const bound = (amax / 127) * 0.5 + amax * 2 ** -11 + 1e-12;
            for (let j = 0; j < 32; j++) {
                const q = bytes.readInt8(at + 2 + j);
                expect(Math.abs(q)).toBeLessThanOrEqual(127);
                expect(Math.abs(q * d - source[j]!)).toBeLessThanOrEqual(bound);
            }
            if (amax === 0) expect(d).toBe(0);
        }
    });
});

describe("Q4_0 and BF16 (quantizations for the cost-scaled target bench)", () => {
    it.each([
        { x: 1, bits: 0x3f80 },
        { x: -2, bits: 0xc000 },
        { x: 1 + 2 ** -8, bits: 0x3f80 }, // a tie rounds to the even mantissa...
        { x: 1 + 3 * 2 ** -8, bits: 0x3f82 }, // ...up as well as down
        { x: 1 + 2 ** -8 + 2 ** -20, bits: 0x3f81 }, // above the tie rounds up
        { x: 0, bits: 0 },
    ])("BF16 of $x is $bits", ({ x, bits }) => {
        expect(float32ToBf16Bits(x)).toBe(bits);
    });

    it("BF16 keeps NaN a NaN and infinities infinite", () => {
        expect(float32ToBf16Bits(Number.NaN) & 0x7f80).toBe(0x7f80);
        expect(float32ToBf16Bits(Number.NaN) & 0x7f).not.toBe(0);
        expect(float32ToBf16Bits(Number.POSITIVE_INFINITY)).toBe(0x7f80);
    });

    it("quantizes Q4_0 within one step (the clipped +8 end) plus the f16 scale error", () => {
        const source = values(8 * 32, 4);
        source.fill(0, 64, 96); // an all-zero block encodes d = 0
        const bytes = encodeTensorChunk("Q4_0", source, Buffer.alloc(source.length * 4));
        expect(bytes.length).toBe(8 * 18);
        for (let block = 0; block < 8; block++) {
            const d = f16ToNumber(bytes.readUInt16LE(block * 18));
            const x = source.subarray(block * 32, block * 32 + 32);
            const amax = Math.max(...Array.from(x, Math.abs));
            const bound = Math.abs(d) + amax * 2 ** -10 + 1e-12;
            for (let j = 0; j < 32; j++) {
                const byte = bytes.readUInt8(block * 18 + 2 + (j % 16));
                const q = j < 16 ? byte & 0xf : byte >> 4;
                expect(Math.abs((q - 8) * d - x[j]!)).toBeLessThanOrEqual(bound);
            }
            if (amax === 0) expect(Math.abs(d)).toBe(0); // ggml writes 0 / −8 = −0 as well
        }
    });

    it("writes Q4_0 and BF16 tensors that node-llama-cpp's reader types and sizes correctly", async () => {
        const dir = await mkdtemp(join(tmpdir(), "gguf-writer-q4-"));
        try {
            const path = join(dir, "types.gguf");
            await new GgufWriter()
                .addTensor("q4", [2, 64], values(128, 5), "Q4_0")
                .addTensor("bf16", [3, 5], values(15, 6), "BF16")
                .writeToFile(path);
            const info = await readGgufFileInfo(path, { logWarnings: false });
            expect(info.tensorInfo?.map((t) => [t.name, t.ggmlType])).toEqual([
                ["q4", GgmlType.Q4_0],
                ["bf16", GgmlType.BF16],
            ]);
            const bytes = await readFile(path);
            // 4 Q4_0 blocks of 18 bytes and 15 BF16 values, each tensor padded to 32 bytes.
            const dataStart = Math.ceil(info.infoEndOffset! / 32) * 32;
            expect(bytes.length).toBe(dataStart + 96 + 32);
        } finally {
            await rm(dir, { recursive: true });
        }
    });

    it("rejects Q4_0 rows that are not a multiple of 32", () => {
        expect(() => new GgufWriter().addTensor("t", [2, 16], new Float32Array(32), "Q4_0")).toThrow(
            /Q4_0 needs a row length that is a multiple of 32, got 16/,
        );
    });
});

describe("GgufWriter validation", () => {
    it("rejects bad shapes, Q8_0 rows not a multiple of 32, duplicates and out-of-range values", () => {
        const writer = new GgufWriter();
        expect(() => writer.addTensor("x", [2, 3], new Float32Array(5), "F32")).toThrow(/holds 6 values/);
        expect(() => writer.addTensor("x", [2, 48], new Float32Array(96), "Q8_0")).toThrow(/multiple of 32/);
        expect(() => writer.addTensor("x".repeat(64), [1], new Float32Array(1), "F32")).toThrow(
            /longer than 63/,
        );
        writer.addTensor("x", [1], new Float32Array(1), "F32");
        expect(() => writer.addTensor("x", [1], new Float32Array(1), "F32")).toThrow(/duplicate tensor/);
        expect(() => writer.addUint32("general.alignment", 64)).toThrow(/duplicate metadata key/);
        expect(() => writer.addUint8("k", 256)).toThrow(/expected an integer in \[0, 255\]/);
        expect(() => writer.addInt32("k", 1.5)).toThrow(TypeError);
        expect(() => writer.addUint64("k", -1n)).toThrow(/out of range/);
        expect(() => writer.addArray("k", "uint16", [1, 70000])).toThrow(TypeError);
    });
});

describe("lazy and zero tensors (multi-gigabyte cost stand-ins)", () => {
    it("makes a lazy tensor's values only when writing, and writes zero tensors as zeros of full size", async () => {
        const dir = await mkdtemp(join(tmpdir(), "gguf-writer-lazy-"));
        try {
            const path = join(dir, "lazy.gguf");
            let made = 0;
            const lazy = (): Float32Array => {
                made++;
                return values(64, 7);
            };
            const writer = new GgufWriter()
                .addTensor("before", [1, 32], values(32, 8), "Q8_0")
                .addZeroTensor("zeros", [4, 64], "Q8_0")
                .addTensor("lazy", [2, 32], lazy, "Q8_0")
                .addZeroTensor("tail", [3, 5], "F32");
            expect(made).toBe(0);
            await writer.writeToFile(path);
            expect(made).toBe(1);
            const info = await readGgufFileInfo(path, { logWarnings: false });
            const bytes = await readFile(path);
            const dataStart = Math.ceil(info.infoEndOffset! / 32) * 32;
            const offsetOf = (name: string) =>
                dataStart + Number(info.tensorInfo!.find((t) => t.name === name)!.offset);
            // 8 Q8_0 blocks of zeros, 34 bytes each; the F32 tail (60 bytes, padded to 64) ends the file.
            expect(
                [...bytes.subarray(offsetOf("zeros"), offsetOf("zeros") + 8 * 34)].every((b) => b === 0),
            ).toBe(true);
            expect(bytes.length).toBe(offsetOf("tail") + 64);
            // The lazy tensor holds what an eager one with the same values holds.
            const eagerPath = join(dir, "eager.gguf");
            await new GgufWriter()
                .addTensor("before", [1, 32], values(32, 8), "Q8_0")
                .addZeroTensor("zeros", [4, 64], "Q8_0")
                .addTensor("lazy", [2, 32], values(64, 7), "Q8_0")
                .addZeroTensor("tail", [3, 5], "F32")
                .writeToFile(eagerPath);
            expect((await readFile(eagerPath)).equals(bytes)).toBe(true);
        } finally {
            await rm(dir, { recursive: true });
        }
    });

    it("refuses a lazy tensor whose values do not fill its shape", async () => {
        const dir = await mkdtemp(join(tmpdir(), "gguf-writer-lazy-"));
        try {
            const writer = new GgufWriter().addTensor("bad", [2, 32], () => values(32, 1), "Q8_0");
            await expect(writer.writeToFile(join(dir, "bad.gguf"))).rejects.toThrow(
                /holds 64 values, data has 32/,
            );
        } finally {
            await rm(dir, { recursive: true });
        }
    });
});
