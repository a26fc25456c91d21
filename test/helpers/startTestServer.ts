/**
 * Starts the real app (gRPC server, health, reflection, metrics, LocalEngine) on loopback with free ports,
 * serving the tiny fixture GGUFs, and returns promise-based @grpc/grpc-js clients for it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
    credentials as grpcCredentials,
    loadPackageDefinition,
    Metadata,
    status as Status,
    type CallOptions,
    type ChannelCredentials,
    type Client,
    type ClientDuplexStream,
    type ClientReadableStream,
    type ClientUnaryCall,
    type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ensureFixtures } from "../../models/build/buildFixtures.js";
import { createApp, type App, type AppAddresses } from "../../src/app.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { ConfigInput } from "../../src/config/schema.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import type { ListModelsResponse__Output } from "../../src/grpc/generated/tiercel/v1/ListModelsResponse.js";
import type { TokenizeRequest } from "../../src/grpc/generated/tiercel/v1/TokenizeRequest.js";
import type { TokenizeResponse__Output } from "../../src/grpc/generated/tiercel/v1/TokenizeResponse.js";
import { healthProtoPath } from "../../src/grpc/health.js";
import { loadInferenceProto, protoLoaderOptions } from "../../src/grpc/loadProto.js";
import { silentLogger } from "../../src/util/logger.js";

export interface TestServerOptions {
    /** Models to serve. Defaults to the fixture target "t" with drafts "d" (same tokenizer) and "x" (not). */
    models?: ConfigInput["models"];
    engine?: NonNullable<ConfigInput["engine"]>;
    server?: NonNullable<ConfigInput["server"]>;
    speculation?: NonNullable<ConfigInput["speculation"]>;
    /** listen() only; the test calls app.load() itself. */
    deferLoad?: boolean;
    /** Options of the returned server's own client. */
    client?: ClientOptions;
}

/** Promise-based clients of one server. */
export interface TestClient {
    client: InferenceClient;
    health: HealthClient;
    reflection: ReflectionClient;
    generate(request: GenerateRequest, options?: CallOptions): Promise<GenerateResponse__Output>;
    /** Starts a stream; `chunks` resolves with every chunk once the stream ends, or rejects with its status. */
    stream(request: GenerateRequest, options?: CallOptions): StreamHandle;
    tokenize(request: TokenizeRequest): Promise<TokenizeResponse__Output>;
    listModels(): Promise<ListModelsResponse__Output>;
    close(): void;
}

export interface TestServer extends Omit<TestClient, "close"> {
    app: App;
    addresses: AppAddresses;
    metricsText(): Promise<string>;
    /** Closes the clients and stops the app. */
    close(): Promise<void>;
}

export interface ClientOptions {
    credentials?: ChannelCredentials;
    /** Metadata sent with every Inference call (e.g. an authorization header). */
    metadata?: Record<string, string>;
}

export interface StreamHandle {
    call: ClientReadableStream<GenerateChunk__Output>;
    /** Resolves at the first chunk. */
    first: Promise<GenerateChunk__Output>;
    chunks: Promise<GenerateChunk__Output[]>;
}

export interface HealthCheckResponse {
    status: string;
}

export interface HealthClient extends Client {
    Check(
        request: { service: string },
        callback: (error: ServiceError | null, response?: HealthCheckResponse) => void,
    ): ClientUnaryCall;
    Watch(request: { service: string }): ClientReadableStream<HealthCheckResponse>;
}

export interface ReflectionResponse {
    list_services_response?: { service: { name: string }[] } | null;
}

export interface ReflectionClient extends Client {
    ServerReflectionInfo(): ClientDuplexStream<{ list_services: string }, ReflectionResponse>;
}

type ClientConstructor<T> = new (address: string, credentials: ChannelCredentials) => T;

/** The greedy, speculation-friendly fixture config; tiny models, one thread (the CI machine has 2 busy cores). */
export async function testConfigInput(options: TestServerOptions = {}): Promise<ConfigInput> {
    const fixtures = await ensureFixtures();
    return {
        models: options.models ?? {
            target: { id: "t", path: fixtures.base },
            drafts: [
                { id: "d", path: fixtures.same },
                { id: "x", path: fixtures.typeDiff },
            ],
        },
        // One thread: ggml's worker threads spin-wait, and on two cores shared with other jobs two threads
        // made each token ~100x slower (FACTS.md "thread trap").
        engine: { contextSize: 512, sequences: 2, gpu: false, threads: 1, ...options.engine },
        // Random-weight drafts are never confident: draft anyway so speculation counters move.
        speculation: { minDraftConfidence: 0, ...options.speculation },
        server: {
            host: "127.0.0.1",
            grpcPort: 0,
            metricsPort: 0,
            httpPort: 0,
            drainTimeoutMs: 2_000,
            ...options.server,
        },
    };
}

const reflectionProtoPath = join(
    dirname(createRequire(import.meta.url).resolve("@grpc/reflection/package.json")),
    "build/proto/grpc/reflection/v1/reflection.proto",
);

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
    const config = parseConfig(await testConfigInput(options), "test config");
    const app = createApp(config, { baseDir: "/", createLogger: () => silentLogger });
    const addresses = await app.listen();
    if (options.deferLoad !== true) await app.load();
    const client = connectClient(addresses, options.client);
    return {
        ...client,
        app,
        addresses,
        metricsText: async () => {
            const response = await fetch(addresses.metricsUrl);
            if (!response.ok) throw new Error(`GET ${addresses.metricsUrl}: ${response.status}`);
            return response.text();
        },
        close: async () => {
            client.close();
            await app.stop();
        },
    };
}

export function connectClient(addresses: AppAddresses, options: ClientOptions = {}): TestClient {
    const creds = options.credentials ?? grpcCredentials.createInsecure();
    const address = addresses.grpcAddress;
    const client = new (loadInferenceProto().grpcObject.tiercel.v1.Inference)(address, creds);
    const grpcLoaded = (path: string) => loadPackageDefinition(loadSync(path, protoLoaderOptions));
    const healthPackage = grpcLoaded(healthProtoPath) as unknown as {
        grpc: { health: { v1: { Health: ClientConstructor<HealthClient> } } };
    };
    const health = new healthPackage.grpc.health.v1.Health(address, creds);
    const reflectionPackage = grpcLoaded(reflectionProtoPath) as unknown as {
        grpc: { reflection: { v1: { ServerReflection: ClientConstructor<ReflectionClient> } } };
    };
    const reflection = new reflectionPackage.grpc.reflection.v1.ServerReflection(address, creds);

    const metadata = (): Metadata => {
        const m = new Metadata();
        for (const [k, v] of Object.entries(options.metadata ?? {})) m.set(k, v);
        return m;
    };
    const unary = <T>(start: (cb: (error: ServiceError | null, value?: T) => void) => unknown): Promise<T> =>
        new Promise<T>((resolve, reject) => {
            start((error, value) => {
                if (error) reject(error);
                else if (value === undefined) reject(new Error("no response"));
                else resolve(value);
            });
        });

    return {
        client,
        health,
        reflection,
        generate: (request, callOptions = {}) =>
            unary((cb) => client.Generate(request, metadata(), callOptions, cb)),
        stream: (request, callOptions = {}) => {
            const call = client.GenerateStream(request, metadata(), callOptions);
            const received: GenerateChunk__Output[] = [];
            let resolveFirst: (chunk: GenerateChunk__Output) => void = () => undefined;
            const first = new Promise<GenerateChunk__Output>((resolve, reject) => {
                resolveFirst = resolve;
                call.once("error", reject);
                call.once("end", () => {
                    reject(new Error("stream ended without a chunk"));
                });
            });
            const chunks = new Promise<GenerateChunk__Output[]>((resolve, reject) => {
                call.on("data", (chunk: GenerateChunk__Output) => {
                    received.push(chunk);
                    resolveFirst(chunk);
                });
                call.on("error", reject);
                call.on("end", () => {
                    resolve(received);
                });
            });
            // Callers may await only one of the two.
            first.catch(() => undefined);
            chunks.catch(() => undefined);
            return { call, first, chunks };
        },
        tokenize: (request) => unary((cb) => client.Tokenize(request, metadata(), cb)),
        listModels: () => unary((cb) => client.ListModels({}, metadata(), cb)),
        close: () => {
            client.close();
            health.close();
            reflection.close();
        },
    };
}

/** Resolves with the call's error; fails if the call succeeded. */
export async function expectGrpcError(promise: Promise<unknown>): Promise<ServiceError> {
    try {
        await promise;
    } catch (error) {
        if (isGrpcError(error)) return error;
        throw error;
    }
    throw new Error("expected the call to fail, but it succeeded");
}

export function isGrpcError(error: unknown): error is ServiceError {
    return error instanceof Error && "code" in error && typeof error.code === "number" && "metadata" in error;
}

export function statusName(code: Status): string {
    return Status[code];
}

/** The value of one sample in Prometheus text, e.g. metricValue(text, 'tiercel_requests_total{method="Generate",code="OK"}'). */
export function metricValue(text: string, series: string): number | undefined {
    for (const line of text.split("\n")) {
        if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
    }
    return undefined;
}
