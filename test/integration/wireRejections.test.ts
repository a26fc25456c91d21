/**
 * Requests that are wrong on the wire, sent as hand-encoded bytes through a grpc-js client with a
 * pass-through serializer: each gets the right status with a message naming what to fix, and each is
 * counted in tiercel_requests_total with that status.
 */
import { Client, credentials, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInferenceProto } from "../../src/grpc/loadProto.js";
import { metricValue, startTestServer, type TestServer } from "../helpers/startTestServer.js";

const service = loadInferenceProto().service;
let server: TestServer;
let raw: Client;

beforeAll(async () => {
    server = await startTestServer();
    raw = new Client(server.addresses.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
    raw.close();
    await server.close();
});

const passThrough = (bytes: Buffer): Buffer => bytes;

/** A tag as a varint (field numbers below 2048). */
const tag = (id: number, wireType: number): number[] => {
    const value = (id << 3) | wireType;
    return value < 128 ? [value] : [(value & 0x7f) | 0x80, value >>> 7];
};
const varint = (id: number, value: number): Buffer => Buffer.from([...tag(id, 0), value]);
const text = (id: number, s: string): Buffer => {
    const bytes = Buffer.from(s, "utf8");
    return Buffer.concat([Buffer.from([...tag(id, 2), bytes.length]), bytes]);
};

/** Sends `body` as the request of a unary method; resolves with the call's error (null on OK). */
function unary(method: "Generate" | "Tokenize", body: Buffer): Promise<ServiceError | null> {
    const definition = service[method];
    return new Promise((resolve) => {
        raw.makeUnaryRequest(
            definition.path,
            passThrough,
            definition.responseDeserialize as (bytes: Buffer) => unknown,
            body,
            new Metadata(),
            {},
            (error) => {
                resolve(error);
            },
        );
    });
}

/** Sends `body` as a GenerateStream request; resolves with the stream's error (null on OK). */
function stream(body: Buffer): Promise<ServiceError | null> {
    const definition = service.GenerateStream;
    return new Promise((resolve) => {
        const call = raw.makeServerStreamRequest(
            definition.path,
            passThrough,
            definition.responseDeserialize,
            body,
            new Metadata(),
            {},
        );
        call.on("data", () => undefined);
        call.on("error", resolve);
        call.on("end", () => {
            resolve(null);
        });
    });
}

async function requestsCounted(method: string, code: string): Promise<number> {
    return (
        metricValue(
            await server.metricsText(),
            `tiercel_requests_total{method="${method}",code="${code}"}`,
        ) ?? 0
    );
}

describe("wire-type confusion", () => {
    it("a string field sent as a varint is INVALID_ARGUMENT naming the field, for every method", async () => {
        // GenerateRequest{ prompt: "def", max_tokens: 2 } with model (a string) sent as varint 7.
        const generate = Buffer.concat([text(1, "def"), varint(4, 2), varint(3, 7)]);
        // TokenizeRequest{ text (a string) sent as varint 1 }.
        const tokenize = varint(1, 1);
        const cases = [
            ["Generate", () => unary("Generate", generate), "model"],
            ["GenerateStream", () => stream(generate), "model"],
            ["Tokenize", () => unary("Tokenize", tokenize), "text"],
        ] as const;
        for (const [method, call, path] of cases) {
            const before = await requestsCounted(method, "INVALID_ARGUMENT");
            const error = await call();
            expect(error?.code, method).toBe(Status.INVALID_ARGUMENT);
            expect(error?.details).toMatch(
                new RegExp(`^${path} arrived as wire type 0 \\(varint\\) but is declared as wire type 2`),
            );
            await expect.poll(() => requestsCounted(method, "INVALID_ARGUMENT")).toBe(before + 1);
        }
    });

    it("a message field sent as a varint, and bytes that are not a message, are INVALID_ARGUMENT", async () => {
        const speculation = await unary("Generate", Buffer.concat([text(1, "def"), varint(11, 1)]));
        expect(speculation?.code).toBe(Status.INVALID_ARGUMENT);
        expect(speculation?.details).toMatch(/^speculation arrived as wire type 0/);
        // prompt claims 50 bytes and carries 1.
        const truncated = await unary("Generate", Buffer.from([...tag(1, 2), 50, 0x61]));
        expect(truncated?.code).toBe(Status.INVALID_ARGUMENT);
        expect(truncated?.details).toMatch(/^the request is not an encoded tiercel\.v1\.GenerateRequest/);
    });

    it("the same request with the right wire types is served", async () => {
        const error = await unary("Generate", Buffer.concat([text(1, "def"), varint(4, 2), text(3, "t")]));
        expect(error).toBeNull();
    });
});

describe("requests grpc-js refuses before any handler runs", () => {
    it("a message over the 4 MiB receive limit is RESOURCE_EXHAUSTED and counted with that status", async () => {
        const before = await requestsCounted("Generate", "RESOURCE_EXHAUSTED");
        // A valid GenerateRequest whose prompt is 5 MiB: tag, a 4-byte length varint, the text.
        const size = 5 * 1024 * 1024;
        const length = [
            (size & 0x7f) | 0x80,
            ((size >>> 7) & 0x7f) | 0x80,
            ((size >>> 14) & 0x7f) | 0x80,
            size >>> 21,
        ];
        const body = Buffer.concat([Buffer.from([...tag(1, 2), ...length]), Buffer.alloc(size, 0x61)]);
        const error = await unary("Generate", body);
        expect(error?.code).toBe(Status.RESOURCE_EXHAUSTED);
        await expect.poll(() => requestsCounted("Generate", "RESOURCE_EXHAUSTED")).toBe(before + 1);
        expect(await requestsCounted("Generate", "CANCELLED")).toBe(0);
    });
});
