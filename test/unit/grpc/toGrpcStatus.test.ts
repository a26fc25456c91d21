import { status as Status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import {
    AbortedError,
    CapacityError,
    ConfigError,
    InvalidArgumentError,
    ModelError,
    ServiceError,
} from "../../../src/errors/ServiceError.js";
import { errorCodeMetadataKey, retryableMetadataKey, toGrpcStatus } from "../../../src/grpc/toGrpcStatus.js";

describe("toGrpcStatus", () => {
    const table: [string, unknown, Status, ErrorCode, boolean][] = [
        [
            "invalid argument",
            new InvalidArgumentError("bad"),
            Status.INVALID_ARGUMENT,
            ErrorCode.InvalidArgument,
            false,
        ],
        [
            "context overflow",
            new ServiceError(ErrorCode.ContextOverflow, "long"),
            Status.INVALID_ARGUMENT,
            ErrorCode.ContextOverflow,
            false,
        ],
        [
            "unknown model",
            new ServiceError(ErrorCode.ModelNotFound, "nope"),
            Status.NOT_FOUND,
            ErrorCode.ModelNotFound,
            false,
        ],
        [
            "incompatible draft",
            new ServiceError(ErrorCode.DraftIncompatible, "x"),
            Status.FAILED_PRECONDITION,
            ErrorCode.DraftIncompatible,
            false,
        ],
        [
            "a schema keyword the grammar cannot enforce",
            new ServiceError(ErrorCode.SchemaUnsupported, "x"),
            Status.INVALID_ARGUMENT,
            ErrorCode.SchemaUnsupported,
            false,
        ],
        [
            "fill-in-the-middle unsupported",
            new ServiceError(ErrorCode.FimUnsupported, "x"),
            Status.FAILED_PRECONDITION,
            ErrorCode.FimUnsupported,
            false,
        ],
        [
            "queue full",
            new CapacityError(ErrorCode.QueueFull, "busy"),
            Status.RESOURCE_EXHAUSTED,
            ErrorCode.QueueFull,
            true,
        ],
        [
            "not ready",
            new CapacityError(ErrorCode.NotReady, "loading"),
            Status.UNAVAILABLE,
            ErrorCode.NotReady,
            true,
        ],
        [
            "model unavailable",
            new ModelError(ErrorCode.ModelUnavailable, "gone"),
            Status.UNAVAILABLE,
            ErrorCode.ModelUnavailable,
            false,
        ],
        [
            "cancelled",
            new AbortedError(ErrorCode.Cancelled, "stop"),
            Status.CANCELLED,
            ErrorCode.Cancelled,
            false,
        ],
        [
            "deadline",
            new AbortedError(ErrorCode.DeadlineExceeded, "late"),
            Status.DEADLINE_EXCEEDED,
            ErrorCode.DeadlineExceeded,
            true,
        ],
        [
            "unauthenticated",
            new ServiceError(ErrorCode.Unauthenticated, "who"),
            Status.UNAUTHENTICATED,
            ErrorCode.Unauthenticated,
            false,
        ],
        ["config", new ConfigError("bad config"), Status.INTERNAL, ErrorCode.ConfigInvalid, false],
        ["internal", new ServiceError(ErrorCode.Internal, "bug"), Status.INTERNAL, ErrorCode.Internal, false],
        [
            "provider rate limit",
            new ServiceError(ErrorCode.ProviderRateLimited, "429"),
            Status.RESOURCE_EXHAUSTED,
            ErrorCode.ProviderRateLimited,
            false,
        ],
        [
            "provider overloaded",
            new ServiceError(ErrorCode.ProviderOverloaded, "529"),
            Status.UNAVAILABLE,
            ErrorCode.ProviderOverloaded,
            false,
        ],
        [
            "provider unavailable",
            new ServiceError(ErrorCode.ProviderUnavailable, "503"),
            Status.UNAVAILABLE,
            ErrorCode.ProviderUnavailable,
            false,
        ],
        [
            "provider auth",
            new ServiceError(ErrorCode.ProviderAuth, "401"),
            Status.INTERNAL,
            ErrorCode.ProviderAuth,
            false,
        ],
        [
            "provider bad request",
            new ServiceError(ErrorCode.ProviderBadRequest, "400"),
            Status.INVALID_ARGUMENT,
            ErrorCode.ProviderBadRequest,
            false,
        ],
        [
            "provider timeout",
            new ServiceError(ErrorCode.ProviderTimeout, "slow"),
            Status.DEADLINE_EXCEEDED,
            ErrorCode.ProviderTimeout,
            false,
        ],
        [
            "provider stream",
            new ServiceError(ErrorCode.ProviderStream, "cut"),
            Status.UNAVAILABLE,
            ErrorCode.ProviderStream,
            false,
        ],
        [
            "circuit open",
            new ServiceError(ErrorCode.CircuitOpen, "open"),
            Status.UNAVAILABLE,
            ErrorCode.CircuitOpen,
            false,
        ],
        [
            "route exhausted",
            new ServiceError(ErrorCode.RouteExhausted, "all failed"),
            Status.UNAVAILABLE,
            ErrorCode.RouteExhausted,
            false,
        ],
        [
            "feedback for an unknown request",
            new ServiceError(ErrorCode.FeedbackUnknownRequest, "no such request"),
            Status.NOT_FOUND,
            ErrorCode.FeedbackUnknownRequest,
            false,
        ],
    ];

    it.each(table)("%s → %s", (_name, error, code, errorCode, retryable) => {
        const status = toGrpcStatus(error);
        expect(Status[status.code]).toBe(Status[code]);
        expect(status.details).toBe((error as Error).message);
        expect(status.metadata.get(errorCodeMetadataKey)).toEqual([errorCode]);
        expect(status.metadata.get(retryableMetadataKey)).toEqual([String(retryable)]);
    });

    it("covers every error code", () => {
        const mapped = new Set(table.map(([, , , code]) => code));
        expect([...mapped].sort()).toEqual(Object.values(ErrorCode).sort());
    });

    it.each([
        ["a plain Error", new Error("/secret/path exploded")],
        ["a string", "boom"],
        ["undefined", undefined],
    ])("hides the message of %s behind a generic INTERNAL", (_name, error) => {
        const status = toGrpcStatus(error);
        expect(status.code).toBe(Status.INTERNAL);
        expect(status.details).not.toContain("secret");
        expect(status.details).toContain("internal error");
        expect(status.metadata.get(errorCodeMetadataKey)).toEqual([ErrorCode.Internal]);
    });
});
