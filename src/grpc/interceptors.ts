/**
 * Server interceptors, applied to every call before any handler runs:
 * - `metricsInterceptor` counts Inference calls by method and final status and times them. A call ends
 *   either with a status or with a cancel (client cancel, deadline, disconnect); grpc-js drops statuses
 *   sent after a cancel, so the cancel itself is counted, as DEADLINE_EXCEEDED when it is the deadline
 *   (callSignal.ts's isDeadlineCancel, the same rule that chose the call's error). Statuses grpc-js sends
 *   before any handler runs (a message over the receive limit, an unsupported compression, a bad
 *   grpc-timeout) are counted too: see `countEveryStatus`.
 * - `authInterceptor` checks the bearer token on Inference calls. Health and reflection stay open so load
 *   balancers and tools can probe without the secret; neither reveals more than the schema.
 * Order matters: grpc-js nests interceptors so that the last one listed is the outermost; the auth
 * interceptor's refusal is sent through the metrics interceptor by listing metrics first.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import {
    ServerInterceptingCall,
    status as Status,
    type Metadata,
    type ServerInterceptingCallInterface,
    type ServerInterceptor,
} from "@grpc/grpc-js";
import { ErrorCode } from "../errors/codes.js";
import { ServiceError } from "../errors/ServiceError.js";
import type { Metrics } from "../metrics/createMetrics.js";
import { isDeadlineCancel } from "./callSignal.js";
import { inferenceServiceName } from "./loadProto.js";
import { toGrpcStatus } from "./toGrpcStatus.js";

const inferencePathPrefix = `/${inferenceServiceName}/`;

/** "Generate" for "/tiercel.v1.Inference/Generate"; undefined for health, reflection and the rest. */
export function inferenceMethod(path: string): string | undefined {
    return path.startsWith(inferencePathPrefix) ? path.slice(inferencePathPrefix.length) : undefined;
}

export function metricsInterceptor(metrics: Metrics): ServerInterceptor {
    return (descriptor, call) => {
        const method = inferenceMethod(descriptor.path);
        if (method === undefined) return new ServerInterceptingCall(call);
        const startedAt = performance.now();
        let counted = false;
        const count = (code: Status): void => {
            if (counted) return;
            counted = true;
            metrics.requests.inc({ method, code: Status[code] });
            metrics.requestDuration.observe({ method }, (performance.now() - startedAt) / 1000);
        };
        countEveryStatus(call, count);
        return new ServerInterceptingCall(call, {
            start: (next) => {
                next({
                    onCancel: () => {
                        count(
                            isDeadlineCancel(call.getDeadline())
                                ? Status.DEADLINE_EXCEEDED
                                : Status.CANCELLED,
                        );
                    },
                });
            },
        });
    };
}

/**
 * Calls `count` with every status sent on `call`. grpc-js's BaseServerInterceptingCall (the call below
 * the first interceptor listed) refuses some requests itself by calling its own `sendStatus`
 * (server-interceptors.js: RESOURCE_EXHAUSTED from handleDataFrame, UNIMPLEMENTED or INTERNAL from
 * decompressAndMaybePush, INTERNAL from handleTimeoutHeader), which passes through no interceptor's
 * `sendStatus` hook and reaches the interceptors only as a cancel. Wrapping the method on the instance
 * sees those statuses and, as every status a handler sends ends there too, all the others.
 */
function countEveryStatus(call: ServerInterceptingCallInterface, count: (code: Status) => void): void {
    const sendStatus = call.sendStatus.bind(call);
    call.sendStatus = (status) => {
        count(status.code);
        sendStatus(status);
    };
}

function digest(value: string): Buffer {
    return createHash("sha256").update(value).digest();
}

/** Whether `metadata` carries `authorization: Bearer <token>`; compared in constant time. */
export function hasBearerToken(metadata: Metadata, expectedDigest: Buffer): boolean {
    const [value] = metadata.get("authorization");
    if (typeof value !== "string") return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
    return match !== null && timingSafeEqual(digest(match[1]!), expectedDigest);
}

export function authInterceptor(token: string): ServerInterceptor {
    const expected = digest(token);
    return (descriptor, call) => {
        if (inferenceMethod(descriptor.path) === undefined) return new ServerInterceptingCall(call);
        return new ServerInterceptingCall(call, {
            start: (next) => {
                next({
                    onReceiveMetadata: (metadata, nextMetadata) => {
                        if (hasBearerToken(metadata, expected)) {
                            nextMetadata(metadata);
                            return;
                        }
                        call.sendStatus(
                            toGrpcStatus(
                                new ServiceError(
                                    ErrorCode.Unauthenticated,
                                    "missing or wrong bearer token; send metadata `authorization: Bearer <token>` with the server's configured token",
                                ),
                            ),
                        );
                    },
                });
            },
        });
    };
}
