/**
 * A small GGUF v3 writer: typed metadata plus F32 / F16 / Q8_0 tensors.
 *
 * Layout (all little-endian): magic "GGUF", version u32, tensor count u64, kv count u64, the key/value
 * pairs, one info record per tensor (name, n_dims u32, dims u64 innermost first, ggml type u32, data
 * offset u64), zero padding to `alignment`, then the tensor data, each tensor starting on an aligned
 * offset relative to the start of the data section.
 *
 * Tensor data is encoded lazily, chunk by chunk, while writing: the caller's Float32Arrays are the only
 * full copy held in memory. Do not mutate them between `addTensor` and `writeToFile`. A tensor may also be
 * given as a function that makes its values when it is written (one tensor in memory at a time), or as
 * zeros (`addZeroTensor`): those are left as a hole in the file (all-zero bytes are 0.0 in every type
 * here), so multi-gigabyte cost stand-ins are written in seconds.
 */
import { open, rename, rm } from "node:fs/promises";
import { endianness } from "node:os";

/** GGUF metadata value types, with their on-disk type ids (gguf-py `GGUFValueType`). */
export const GgufValueType = {
    uint8: 0,
    int8: 1,
    uint16: 2,
    int16: 3,
    uint32: 4,
    int32: 5,
    float32: 6,
    bool: 7,
    string: 8,
    array: 9,
    uint64: 10,
    int64: 11,
    float64: 12,
} as const;

/** A scalar GGUF type name (arrays hold scalars; nested arrays are not supported). */
export type GgufScalarType = Exclude<keyof typeof GgufValueType, "array">;

/** The JS value accepted for each scalar type; 64-bit integers take `bigint` for values beyond 2^53. */
export interface GgufScalarValueMap {
    uint8: number;
    int8: number;
    uint16: number;
    int16: number;
    uint32: number;
    int32: number;
    float32: number;
    float64: number;
    bool: boolean;
    string: string;
    uint64: number | bigint;
    int64: number | bigint;
}

/** Tensor encodings this writer produces. llama.cpp rejects F64 tensors, so there is none. */
export type GgufTensorType = "F32" | "F16" | "BF16" | "Q8_0" | "Q4_0";

/** ggml type ids (ggml.h `enum ggml_type`). */
export const ggmlTypeId: Readonly<Record<GgufTensorType, number>> = {
    F32: 0,
    F16: 1,
    BF16: 30,
    Q8_0: 8,
    Q4_0: 2,
};

/** Elements per Q8_0 (and Q4_0) block and bytes per block (f16 scale + 32 int8). */
export const q8BlockSize = 32;
const q8BlockBytes = 2 + q8BlockSize;
/** Bytes per Q4_0 block: f16 scale + 32 4-bit values. */
const q4BlockBytes = 2 + q8BlockSize / 2;

/** Default GGUF alignment; written explicitly as `general.alignment`. */
export const defaultGgufAlignment = 32;

/** ggml's GGML_MAX_NAME is 64 bytes including the terminating NUL. */
const maxTensorNameBytes = 63;

/** Elements encoded per write while streaming tensor data (a multiple of the Q8_0 block size). */
const encodeChunkElements = 1 << 20;

interface MetadataEntry {
    readonly type: GgufScalarType | "array";
    readonly arrayType?: GgufScalarType;
    readonly value: unknown;
}

interface TensorEntry {
    readonly name: string;
    /** GGUF order: dims[0] is the innermost (row) length. */
    readonly dims: readonly number[];
    readonly type: GgufTensorType;
    /** The values, a function that makes them when the tensor is written, or "zeros". */
    readonly data: Float32Array | (() => Float32Array) | "zeros";
    readonly byteSize: number;
}

const intRanges: Partial<Record<GgufScalarType, readonly [number, number]>> = {
    uint8: [0, 0xff],
    int8: [-0x80, 0x7f],
    uint16: [0, 0xffff],
    int16: [-0x8000, 0x7fff],
    uint32: [0, 0xffffffff],
    int32: [-0x80000000, 0x7fffffff],
};

export class GgufWriter {
    readonly alignment: number;
    private readonly metadata = new Map<string, MetadataEntry>();
    private readonly tensors: TensorEntry[] = [];

    constructor(alignment: number = defaultGgufAlignment) {
        // gguf.cpp rejects alignments that are not a power of two.
        if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0)
            throw new RangeError(`alignment must be a power of two, got ${alignment}`);
        this.alignment = alignment;
        this.addUint32("general.alignment", alignment);
    }

    addUint8(key: string, value: number): this {
        return this.addScalar(key, "uint8", value);
    }
    addInt8(key: string, value: number): this {
        return this.addScalar(key, "int8", value);
    }
    addUint16(key: string, value: number): this {
        return this.addScalar(key, "uint16", value);
    }
    addInt16(key: string, value: number): this {
        return this.addScalar(key, "int16", value);
    }
    addUint32(key: string, value: number): this {
        return this.addScalar(key, "uint32", value);
    }
    addInt32(key: string, value: number): this {
        return this.addScalar(key, "int32", value);
    }
    addUint64(key: string, value: number | bigint): this {
        return this.addScalar(key, "uint64", value);
    }
    addInt64(key: string, value: number | bigint): this {
        return this.addScalar(key, "int64", value);
    }
    addFloat32(key: string, value: number): this {
        return this.addScalar(key, "float32", value);
    }
    addFloat64(key: string, value: number): this {
        return this.addScalar(key, "float64", value);
    }
    addBool(key: string, value: boolean): this {
        return this.addScalar(key, "bool", value);
    }
    addString(key: string, value: string): this {
        return this.addScalar(key, "string", value);
    }

    /** Adds a scalar of any type; the typed `addX` helpers call this. */
    addScalar<T extends GgufScalarType>(key: string, type: T, value: GgufScalarValueMap[T]): this {
        checkValue(key, type, value);
        return this.setEntry(key, { type, value });
    }

    /** Adds an array whose elements all have `type` (e.g. `addArray("tokenizer.ggml.tokens", "string", tokens)`). */
    addArray<T extends GgufScalarType>(key: string, type: T, values: readonly GgufScalarValueMap[T][]): this {
        for (const value of values) checkValue(key, type, value);
        return this.setEntry(key, { type: "array", arrayType: type, value: values });
    }

    /**
     * Adds a tensor. `shape` is in PyTorch order (outermost first, e.g. a Linear weight is [out, in]);
     * it is written reversed, as GGUF stores ne[0] = innermost. Q8_0 needs the innermost dimension to be
     * a multiple of 32 because blocks never straddle rows.
     */
    addTensor(
        name: string,
        shape: readonly number[],
        data: Float32Array | (() => Float32Array),
        type: GgufTensorType,
    ): this {
        return this.pushTensor(name, shape, data, type);
    }

    /** Adds a tensor of zeros without materializing it (written as a hole in the file). */
    addZeroTensor(name: string, shape: readonly number[], type: GgufTensorType): this {
        return this.pushTensor(name, shape, "zeros", type);
    }

    private pushTensor(
        name: string,
        shape: readonly number[],
        data: TensorEntry["data"],
        type: GgufTensorType,
    ): this {
        if (Buffer.byteLength(name) > maxTensorNameBytes)
            throw new RangeError(`tensor name "${name}" is longer than ${maxTensorNameBytes} bytes`);
        if (this.tensors.some((tensor) => tensor.name === name))
            throw new Error(`duplicate tensor "${name}"`);
        if (shape.length < 1 || shape.length > 4 || shape.some((dim) => !Number.isInteger(dim) || dim < 1))
            throw new RangeError(
                `tensor "${name}": shape must have 1-4 positive integer dims, got [${shape.join(", ")}]`,
            );
        const elements = shape.reduce((product, dim) => product * dim, 1);
        if (data instanceof Float32Array && elements !== data.length)
            throw new RangeError(
                `tensor "${name}": shape [${shape.join(", ")}] holds ${elements} values, data has ${data.length}`,
            );
        const dims = [...shape].reverse();
        const rowLength = dims[0]!;
        if ((type === "Q8_0" || type === "Q4_0") && rowLength % q8BlockSize !== 0)
            throw new RangeError(
                `tensor "${name}": ${type} needs a row length that is a multiple of 32, got ${rowLength}`,
            );
        this.tensors.push({ name, dims, type, data, byteSize: tensorByteSize(type, elements) });
        return this;
    }

    /** Writes the file through a temporary sibling and renames it, so readers never see a partial file. */
    async writeToFile(path: string): Promise<void> {
        if (endianness() !== "LE") throw new Error("GgufWriter assumes a little-endian host");
        const tmpPath = `${path}.${process.pid}.tmp`;
        const file = await open(tmpPath, "w");
        try {
            const header = this.encodeHeader();
            await file.write(header);
            // Positional writes: zero tensors and padding are skipped, and the final truncate makes
            // the skipped ranges holes that read as zeros.
            let position = header.length;
            const chunk = Buffer.alloc(encodeChunkElements * 4);
            for (const tensor of this.tensors) {
                if (tensor.data !== "zeros") {
                    const data = typeof tensor.data === "function" ? tensor.data() : tensor.data;
                    const elements = tensor.dims.reduce((product, dim) => product * dim, 1);
                    if (data.length !== elements)
                        throw new RangeError(
                            `tensor "${tensor.name}": shape holds ${elements} values, data has ${data.length}`,
                        );
                    let at = position;
                    for (let start = 0; start < data.length; start += encodeChunkElements) {
                        const values = data.subarray(start, start + encodeChunkElements);
                        const bytes = encodeTensorChunk(tensor.type, values, chunk);
                        await file.write(bytes, 0, bytes.length, at);
                        at += bytes.length;
                    }
                }
                position += alignUp(tensor.byteSize, this.alignment);
            }
            await file.truncate(position);
            await file.close();
            await rename(tmpPath, path);
        } catch (error) {
            await file.close().catch(() => undefined);
            await rm(tmpPath, { force: true });
            throw error;
        }
    }

    private setEntry(key: string, entry: MetadataEntry): this {
        if (this.metadata.has(key)) throw new Error(`duplicate metadata key "${key}"`);
        this.metadata.set(key, entry);
        return this;
    }

    /** Header, metadata and tensor infos, padded so the data section starts aligned. */
    private encodeHeader(): Buffer {
        const out = new ByteSink();
        out.raw(Buffer.from("GGUF", "latin1"));
        out.u32(3);
        out.u64(this.tensors.length);
        out.u64(this.metadata.size);
        for (const [key, entry] of this.metadata) {
            out.str(key);
            out.u32(GgufValueType[entry.type]);
            if (entry.arrayType === undefined) {
                writeScalar(out, entry.type as GgufScalarType, entry.value);
            } else {
                const values = entry.value as readonly unknown[];
                out.u32(GgufValueType[entry.arrayType]);
                out.u64(values.length);
                for (const value of values) writeScalar(out, entry.arrayType, value);
            }
        }
        let offset = 0;
        for (const tensor of this.tensors) {
            out.str(tensor.name);
            out.u32(tensor.dims.length);
            for (const dim of tensor.dims) out.u64(dim);
            out.u32(ggmlTypeId[tensor.type]);
            out.u64(offset);
            offset += alignUp(tensor.byteSize, this.alignment);
        }
        out.raw(Buffer.alloc(alignUp(out.length, this.alignment) - out.length));
        return out.toBuffer();
    }
}

/** Bytes a tensor of `elements` values occupies in `type` (before alignment padding). */
export function tensorByteSize(type: GgufTensorType, elements: number): number {
    if (type === "F32") return elements * 4;
    if (type === "F16" || type === "BF16") return elements * 2;
    if (type === "Q4_0") return (elements / q8BlockSize) * q4BlockBytes;
    return (elements / q8BlockSize) * q8BlockBytes;
}

/**
 * Encodes `values` into `scratch` (which must hold 4 bytes per value) and returns the used slice.
 * Q8_0 follows ggml's reference quantizer: per block of 32, d = max|x| / 127 stored as f16 and
 * q = round(x / d) (half away from zero), computed with the unrounded d. Q4_0 follows
 * `quantize_row_q4_0_ref`: d = m / −8 with m the signed value of largest magnitude, q = min(15,
 * trunc(x / d + 8.5)); byte j of a block holds q[j] in its low and q[j + 16] in its high nibble.
 * BF16 keeps the upper 16 bits of the float32, rounded to nearest even (`ggml_compute_fp32_to_bf16`).
 */
export function encodeTensorChunk(type: GgufTensorType, values: Float32Array, scratch: Buffer): Buffer {
    if (type === "F32") return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    if (type === "F16") {
        for (let i = 0; i < values.length; i++) scratch.writeUInt16LE(float32ToF16Bits(values[i]!), i * 2);
        return scratch.subarray(0, values.length * 2);
    }
    if (type === "BF16") {
        for (let i = 0; i < values.length; i++) scratch.writeUInt16LE(float32ToBf16Bits(values[i]!), i * 2);
        return scratch.subarray(0, values.length * 2);
    }
    if (type === "Q4_0") return encodeQ4(values, scratch);
    const blocks = values.length / q8BlockSize;
    for (let block = 0; block < blocks; block++) {
        const base = block * q8BlockSize;
        let amax = 0;
        for (let j = 0; j < q8BlockSize; j++) amax = Math.max(amax, Math.abs(values[base + j]!));
        const d = amax / 127;
        const inverse = d === 0 ? 0 : 1 / d;
        const at = block * q8BlockBytes;
        scratch.writeUInt16LE(float32ToF16Bits(d), at);
        for (let j = 0; j < q8BlockSize; j++) {
            const scaled = values[base + j]! * inverse;
            scratch.writeInt8(Math.sign(scaled) * Math.round(Math.abs(scaled)), at + 2 + j);
        }
    }
    return scratch.subarray(0, blocks * q8BlockBytes);
}

function encodeQ4(values: Float32Array, scratch: Buffer): Buffer {
    const blocks = values.length / q8BlockSize;
    const half = q8BlockSize / 2;
    const q = new Uint8Array(q8BlockSize);
    for (let block = 0; block < blocks; block++) {
        const base = block * q8BlockSize;
        let amax = 0;
        let max = 0;
        for (let j = 0; j < q8BlockSize; j++) {
            const v = values[base + j]!;
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        // float32 arithmetic, as in ggml.
        const d = Math.fround(max / -8);
        const inverse = d === 0 ? 0 : Math.fround(1 / d);
        for (let j = 0; j < q8BlockSize; j++)
            q[j] = Math.min(15, Math.trunc(Math.fround(Math.fround(values[base + j]! * inverse) + 8.5)));
        const at = block * q4BlockBytes;
        scratch.writeUInt16LE(float32ToF16Bits(d), at);
        for (let j = 0; j < half; j++) scratch.writeUInt8(q[j]! | (q[j + half]! << 4), at + 2 + j);
    }
    return scratch.subarray(0, blocks * q4BlockBytes);
}

/** bfloat16 bits of `value`: the float32's upper half, rounded to nearest even (NaN kept quiet). */
export function float32ToBf16Bits(value: number): number {
    f32Scratch[0] = value;
    const bits = u32Scratch[0]!;
    if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 64) & 0xffff;
    return ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16) & 0xffff;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half-precision bits of `value`, rounding to nearest even (overflow → ±Inf, NaN kept). */
export function float32ToF16Bits(value: number): number {
    f32Scratch[0] = value;
    const bits = u32Scratch[0]!;
    const sign = (bits >>> 16) & 0x8000;
    const exponent = (bits >>> 23) & 0xff;
    const mantissa = bits & 0x7fffff;
    if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
    const halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) return sign | 0x7c00;
    if (halfExponent <= 0) {
        // Subnormal half: value = m * 2^-24, m = (1.mantissa * 2^23) >> (14 - halfExponent).
        if (halfExponent < -10) return sign;
        const shift = 14 - halfExponent;
        return sign | roundShift(mantissa | 0x800000, shift);
    }
    // A mantissa carry correctly rolls into the exponent (and up to Inf).
    return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** `value >> shift`, rounded to nearest even. */
function roundShift(value: number, shift: number): number {
    const kept = value >>> shift;
    const rest = value - kept * 2 ** shift;
    const half = 2 ** (shift - 1);
    return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

function alignUp(offset: number, alignment: number): number {
    return Math.ceil(offset / alignment) * alignment;
}

function checkValue(key: string, type: GgufScalarType, value: unknown): void {
    const fail = (why: string): never => {
        throw new TypeError(`metadata "${key}": ${why} (type ${type}, got ${String(value)})`);
    };
    if (type === "string") {
        if (typeof value !== "string") fail("expected a string");
    } else if (type === "bool") {
        if (typeof value !== "boolean") fail("expected a boolean");
    } else if (type === "float32" || type === "float64") {
        if (typeof value !== "number") fail("expected a number");
    } else if (type === "uint64" || type === "int64") {
        if (typeof value !== "bigint" && !(typeof value === "number" && Number.isSafeInteger(value)))
            fail("expected a bigint or a safe integer");
        const big = BigInt(value as bigint | number);
        const [min, max] = type === "uint64" ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
        if (big < min || big > max) fail("out of range");
    } else {
        const [min, max] = intRanges[type]!;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
            fail(`expected an integer in [${min}, ${max}]`);
    }
}

function writeScalar(out: ByteSink, type: GgufScalarType, value: unknown): void {
    const view = out.reserve(scalarSize[type]);
    const { buffer, at } = view;
    switch (type) {
        case "uint8":
            buffer.writeUInt8(value as number, at);
            break;
        case "int8":
            buffer.writeInt8(value as number, at);
            break;
        case "uint16":
            buffer.writeUInt16LE(value as number, at);
            break;
        case "int16":
            buffer.writeInt16LE(value as number, at);
            break;
        case "uint32":
            buffer.writeUInt32LE(value as number, at);
            break;
        case "int32":
            buffer.writeInt32LE(value as number, at);
            break;
        case "float32":
            buffer.writeFloatLE(value as number, at);
            break;
        case "float64":
            buffer.writeDoubleLE(value as number, at);
            break;
        case "bool":
            buffer.writeUInt8(value === true ? 1 : 0, at);
            break;
        case "uint64":
            buffer.writeBigUInt64LE(BigInt(value as bigint | number), at);
            break;
        case "int64":
            buffer.writeBigInt64LE(BigInt(value as bigint | number), at);
            break;
        case "string":
            out.str(value as string);
            break;
    }
}

/** Byte size of each fixed-size scalar; strings are length-prefixed and reserve nothing up front. */
const scalarSize: Readonly<Record<GgufScalarType, number>> = {
    uint8: 1,
    int8: 1,
    uint16: 2,
    int16: 2,
    uint32: 4,
    int32: 4,
    float32: 4,
    bool: 1,
    string: 0,
    uint64: 8,
    int64: 8,
    float64: 8,
};

/** Growable little-endian byte buffer for the header (a 50k-entry vocab is a few MB at most). */
class ByteSink {
    private buffer = Buffer.alloc(64 * 1024);
    length = 0;

    reserve(bytes: number): { buffer: Buffer; at: number } {
        if (this.length + bytes > this.buffer.length) {
            const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
            this.buffer.copy(grown, 0, 0, this.length);
            this.buffer = grown;
        }
        const at = this.length;
        this.length += bytes;
        return { buffer: this.buffer, at };
    }

    u32(value: number): void {
        const { buffer, at } = this.reserve(4);
        buffer.writeUInt32LE(value, at);
    }

    u64(value: number): void {
        const { buffer, at } = this.reserve(8);
        buffer.writeBigUInt64LE(BigInt(value), at);
    }

    /** GGUF string: u64 byte length + UTF-8 bytes, no terminator. */
    str(value: string): void {
        const bytes = Buffer.byteLength(value, "utf8");
        this.u64(bytes);
        const { buffer, at } = this.reserve(bytes);
        buffer.write(value, at, "utf8");
    }

    raw(bytes: Buffer): void {
        const { buffer, at } = this.reserve(bytes.length);
        bytes.copy(buffer, at);
    }

    toBuffer(): Buffer {
        return this.buffer.subarray(0, this.length);
    }
}
