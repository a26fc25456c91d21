import { createHash } from "node:crypto";
import {
    Metadata,
    type Deadline,
    type ServerInterceptingCallInterface,
    type ServerMethodDefinition,
} from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { deadlineSkewMs } from "../../../src/grpc/callSignal.js";
import { hasBearerToken, inferenceMethod, metricsInterceptor } from "../../../src/grpc/interceptors.js";
import { createMetrics } from "../../../src/metrics/createMetrics.js";
import { createRegistry } from "../../../src/metrics/registry.js";

type InterceptingServerListener = Parameters<ServerInterceptingCallInterface["start"]>[0];

const token = "0123456789abcdef0123";
const digest = createHash("sha256").update(token).digest();

function withAuthorization(value?: string): Metadata {
    const metadata = new Metadata();
    if (value !== undefined) metadata.set("authorization", value);
    return metadata;
}

describe("hasBearerToken", () => {
    it.each([
        ["the right token", `Bearer ${token}`, true],
        ["a case-insensitive scheme", `bearer ${token}`, true],
        ["no header", undefined, false],
        ["a wrong token", "Bearer 0123456789abcdef0124", false],
        ["a prefix of the token", `Bearer ${token.slice(0, -1)}`, false],
        ["another scheme", `Basic ${token}`, false],
        ["the bare token", token, false],
    ])("%s → %s", (_name, header, expected) => {
        expect(hasBearerToken(withAuthorization(header), digest)).toBe(expected);
    });
});

describe("inferenceMethod", () => {
    it("names Inference methods and ignores other services", () => {
        expect(inferenceMethod("/tiercel.v1.Inference/GenerateStream")).toBe("GenerateStream");
        expect(inferenceMethod("/grpc.health.v1.Health/Check")).toBeUndefined();
        expect(inferenceMethod("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")).toBeUndefined();
    });
});

describe("metricsInterceptor", () => {
    /** The interceptor over grpc-js's call below it, reduced to what a cancel needs; returns the count. */
    async function countCancel(deadline: Deadline): Promise<string[]> {
        const registry = createRegistry();
        const interceptor = metricsInterceptor(createMetrics(registry, () => undefined));
        let listener: InterceptingServerListener | undefined;
        const below = {
            start: (l: InterceptingServerListener) => {
                listener = l;
            },
            getDeadline: () => deadline,
            sendStatus: () => undefined,
        } as unknown as ServerInterceptingCallInterface;
        const method = { path: "/tiercel.v1.Inference/GenerateStream" } as ServerMethodDefinition<
            unknown,
            unknown
        >;
        const ignore = (): void => undefined;
        interceptor(method, below).start({
            onReceiveMetadata: ignore,
            onReceiveMessage: ignore,
            onReceiveHalfClose: ignore,
            onCancel: ignore,
        });
        listener?.onCancel();
        const metric = registry.getSingleMetric("tiercel_requests_total");
        return (await metric!.get()).values.map((v) => `${String(v.labels.code)}=${v.value}`);
    }

    it.each<[string, number, string]>([
        ["the deadline passed", -5, "DEADLINE_EXCEEDED=1"],
        [
            "the client cancelled at its deadline, just before the server's",
            deadlineSkewMs - 20,
            "DEADLINE_EXCEEDED=1",
        ],
        ["a cancel well before the deadline", deadlineSkewMs + 5_000, "CANCELLED=1"],
        ["no deadline", Infinity, "CANCELLED=1"],
    ])("a cancel when %s (%i ms left) counts as %s", async (_name, leftMs, counted) => {
        const deadline = leftMs === Infinity ? Infinity : Date.now() + leftMs;
        expect(await countCancel(deadline)).toEqual([counted]);
    });
});
