/**
 * The gRPC server: tiercel.v1.Inference, grpc.health.v1.Health and server reflection (v1 and v1alpha)
 * on one port, behind the metrics and auth interceptors. Shutdown is two-phase: `tryShutdown` lets
 * running calls finish, `forceShutdown` cancels whatever is left.
 */
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { Server, ServerCredentials, type ServerInterceptor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { ConfigError } from "../errors/ServiceError.js";
import type { Metrics } from "../metrics/createMetrics.js";
import { healthProtoPath, type ServerHealth } from "./health.js";
import type { InferenceService } from "./inferenceService.js";
import { authInterceptor, metricsInterceptor } from "./interceptors.js";
import { loadInferenceProto, protoLoaderOptions } from "./loadProto.js";
import { guardRequests, type RequestGuard } from "./requestGuard.js";
import type { InferenceDefinition } from "./generated/tiercel/v1/Inference.js";

export interface TlsFiles {
    /** PEM certificate chain path. */
    certPath: string;
    /** PEM private key path. */
    keyPath: string;
}

export interface GrpcServerOptions {
    metrics: Metrics;
    health: ServerHealth;
    /** Required bearer token for Inference calls; undefined = no auth. */
    authToken?: string;
    /** Serve TLS with these files; undefined = plaintext. */
    tls?: TlsFiles;
}

export interface GrpcServer {
    /** Binds and starts serving; resolves to the bound port (useful with port 0). */
    listen(host: string, port: number): Promise<number>;
    /** Stops accepting calls and waits up to `timeoutMs` for running ones; resolves whether all finished. */
    tryShutdown(timeoutMs: number): Promise<boolean>;
    /** Cancels every running call and closes all connections. */
    forceShutdown(): void;
}

/** Loads the proto and wraps its deserializers with the request guard (share one per server). */
export function loadGuardedInferenceProto(): ReturnType<typeof loadInferenceProto> & {
    guard: RequestGuard<InferenceDefinition>;
} {
    const proto = loadInferenceProto();
    return { ...proto, guard: guardRequests(proto.service, proto.root) };
}

export function createGrpcServer(
    service: InferenceService,
    proto: ReturnType<typeof loadGuardedInferenceProto>,
    options: GrpcServerOptions,
): GrpcServer {
    // Listed inner to outer: the auth refusal passes through the metrics interceptor (see interceptors.ts).
    const interceptors: ServerInterceptor[] = [metricsInterceptor(options.metrics)];
    if (options.authToken !== undefined) interceptors.push(authInterceptor(options.authToken));
    const server = new Server({ interceptors });
    server.addService(proto.guard.definition, service.handlers);
    options.health.addToServer(server);
    // Reflection describes health too, so generic tools (grpcurl, Postman, evans) find both.
    const healthDefinition = loadSync(healthProtoPath, protoLoaderOptions);
    new ReflectionService({ ...proto.packageDefinition, ...healthDefinition }).addToServer(server);

    return {
        listen: async (host, port) => {
            const credentials = options.tls
                ? await tlsCredentials(options.tls)
                : ServerCredentials.createInsecure();
            const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
            return new Promise<number>((resolve, reject) => {
                server.bindAsync(address, credentials, (error, boundPort) => {
                    if (error) reject(error);
                    else resolve(boundPort);
                });
            });
        },
        tryShutdown: (timeoutMs) =>
            new Promise<boolean>((resolve) => {
                const timer = setTimeout(() => {
                    resolve(false);
                }, timeoutMs);
                server.tryShutdown(() => {
                    clearTimeout(timer);
                    resolve(true);
                });
            }),
        forceShutdown: () => {
            server.forceShutdown();
        },
    };
}

/**
 * Server credentials from PEM files. An unreadable file or a certificate and key that do not load
 * together is a configuration error (exit code 2) that names the setting to fix.
 */
async function tlsCredentials(tls: TlsFiles): Promise<ServerCredentials> {
    const read = async (setting: "certPath" | "keyPath", path: string): Promise<Buffer> => {
        try {
            return await readFile(path);
        } catch (cause) {
            const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
            throw new ConfigError(`server.tls.${setting}: cannot read ${path} (${reason})`, { cause });
        }
    };
    // One after the other: with both unreadable, the error names the certificate's setting every time
    // (Promise.all rejected with whichever read failed first).
    const cert = await read("certPath", tls.certPath);
    const key = await read("keyPath", tls.keyPath);
    try {
        // grpc-js reports a bad pair only when a client connects; Node's TLS parser says it now.
        createSecureContext({ cert, key });
    } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new ConfigError(
            `server.tls: ${tls.certPath} and ${tls.keyPath} are not a PEM certificate chain and its private key (${reason})`,
            { cause },
        );
    }
    return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
}
