import { createHash } from "node:crypto";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { hasBearerToken, inferenceMethod } from "../../../src/grpc/interceptors.js";

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
