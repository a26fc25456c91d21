/**
 * The constructor and key handling both hosted providers share. The SDK client is built once per
 * provider with an explicit API key read from the configured environment variable, `maxRetries: 0` (the
 * router is the only retry loop), a backstop timeout, and the provider's own keep-alive transport
 * (KeepAliveFetch.ts) as its `fetch`. Without a key no client is built at all (an SDK left to itself
 * goes looking for credentials elsewhere), and every call fails with E_PROVIDER_AUTH naming the variable
 * to set, before any request is made. The SDKs' loggers are off (`logLevel: "off"`): their default,
 * `warn`, writes console lines among the server's JSON logs (e.g. "Could not parse message into JSON"
 * for a malformed stream event, which reaches the router as the SDK's exception anyway); `OPENAI_LOG` /
 * `ANTHROPIC_LOG` in the environment turn them back on for debugging. A same-protocol pass-through request (../nativeBody.ts)
 * is sent without the SDK (`send`): its body is already the API's, and the SDK's request building plus
 * fetch's objects cost ~300 µs of CPU per call over a direct node:http request to the same fake upstream
 * (~600 against ~280 µs, 2-vCPU EPYC; scratch measurement in the session-13 note).
 */
import { Readable } from "node:stream";
import { ErrorCode } from "../errors/codes.js";
import { headersOf, KeepAliveFetch, type RawResponse } from "./KeepAliveFetch.js";
import { readText } from "./rawBody.js";
import { ProviderError } from "./ProviderError.js";

/** Options every hosted provider takes. */
export interface HostedProviderOptions {
    id: string;
    /** API base URL. Defaults to the SDK's. */
    baseURL?: string | undefined;
    /** Environment variable holding the API key. */
    apiKeyEnv: string;
    /** Environment to read the key from. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /**
     * The SDK's own per-request timeout, a backstop only: the router aborts attempts through the signal.
     * Set explicitly also because Anthropic's SDK refuses unary calls it expects to exceed 10 minutes
     * otherwise. Defaults to 3600000 ms.
     */
    timeoutMs?: number;
    /**
     * The SDK's transport. Defaults to the provider's own KeepAliveFetch (closed with the provider); pass
     * `globalThis.fetch`, or undici's `fetch` with a proxy dispatcher, to use that instead.
     */
    fetch?: typeof globalThis.fetch;
}

/** What both SDK constructors accept. */
export interface SdkClientOptions {
    apiKey: string;
    baseURL: string | null;
    maxRetries: 0;
    timeout: number;
    fetch: typeof globalThis.fetch;
    /** "off" unless the SDKs' own log variable is set (then the SDK reads it). */
    logLevel?: "off";
}

/** The SDK's backstop timeout: longer than any router attempt budget, so the router's fires first. */
export const defaultSdkTimeoutMs = 3_600_000;

/**
 * What a provider's API needs for requests sent without its SDK (`send`): the SDK's default base URL,
 * the headers every request carries, and the SDK's own errors, so that one error map (mapError.ts)
 * serves both paths.
 */
export interface ApiWire {
    defaultBaseURL: string;
    /** The key and protocol headers, lower-case names. */
    headers(apiKey: string): Record<string, string>;
    /** The SDK's error for a non-2xx answer (its body parsed when it is JSON, else its text as `message`). */
    statusError(
        status: number,
        body: object | undefined,
        message: string | undefined,
        headers: Headers,
    ): Error;
    /** The SDK's error for a request that got no answer. */
    connectionError(cause: Error): Error;
}

/** An SDK client, or the reason there is none. */
export class SdkClient<TClient> {
    readonly #provider: string;
    readonly #client: TClient | undefined;
    readonly #missingKey: string | undefined;
    readonly #transport: KeepAliveFetch | undefined;
    /** Base URL without a trailing slash, and the headers of requests sent without the SDK. */
    readonly #direct: { base: string; headers: Record<string, string>; wire: ApiWire } | undefined;

    constructor(
        options: HostedProviderOptions,
        create: (options: SdkClientOptions) => TClient,
        wire?: ApiWire,
    ) {
        this.#provider = options.id;
        this.#transport = options.fetch === undefined ? new KeepAliveFetch() : undefined;
        const env = options.env ?? process.env;
        const apiKey = env[options.apiKeyEnv];
        if (apiKey === undefined || apiKey === "") {
            this.#missingKey = `no API key: set the ${options.apiKeyEnv} environment variable`;
            return;
        }
        if (wire && this.#transport) {
            const base = (options.baseURL ?? wire.defaultBaseURL).replace(/\/+$/, "");
            this.#direct = { base, headers: wire.headers(apiKey), wire };
        }
        this.#client = create({
            apiKey,
            baseURL: options.baseURL ?? null,
            maxRetries: 0,
            timeout: options.timeoutMs ?? defaultSdkTimeoutMs,
            fetch: options.fetch ?? this.#transport!.fetch,
            ...(env.OPENAI_LOG || env.ANTHROPIC_LOG ? {} : { logLevel: "off" }),
        });
    }

    /** The client; throws E_PROVIDER_AUTH when the key was missing. */
    get(): TClient {
        if (this.#client !== undefined) return this.#client;
        throw new ProviderError(this.#provider, ErrorCode.ProviderAuth, this.#missingKey ?? "no client");
    }

    /**
     * Whether to use `send`: the provider runs on its own transport (no `fetch` was given), or has no key
     * (then `send` throws E_PROVIDER_AUTH before any request, as `get` does).
     */
    get direct(): boolean {
        return this.#direct !== undefined || this.#missingKey !== undefined;
    }

    /**
     * POSTs a JSON body to `path` (below the base URL) without the SDK: the request as the API takes it
     * and the answer's body unparsed (rawBody.ts reads it). A non-2xx answer and a failed connection
     * throw the SDK's own errors (ApiWire); an abort, the signal's reason. Throws E_PROVIDER_AUTH when
     * the key was missing.
     */
    async send(
        path: string,
        body: Record<string, unknown>,
        headers: Readonly<Record<string, string>> | undefined,
        signal: AbortSignal,
    ): Promise<{ body: Readable; headers: () => Headers }> {
        const direct = this.#direct;
        if (direct === undefined) {
            this.get(); // throws the missing-key error, if that is why
            throw new Error("send() needs the provider's own transport (no `fetch` option); check `direct`");
        }
        const { base, wire } = direct;
        const payload = JSON.stringify(body);
        let raw: RawResponse;
        try {
            raw = await this.#transport!.send(new URL(base + path), {
                method: "POST",
                headers: {
                    ...direct.headers,
                    ...headers,
                    "content-type": "application/json",
                    "content-length": String(Buffer.byteLength(payload)),
                },
                body: payload,
                signal,
            });
        } catch (error) {
            if (signal.aborted) throw error;
            throw wire.connectionError(error instanceof Error ? error : new Error(String(error)));
        }
        const answer = raw.body ?? Readable.from([]);
        if (raw.status < 200 || raw.status > 299) {
            const text = await readText(answer);
            let json: unknown;
            try {
                json = JSON.parse(text);
            } catch {
                json = undefined;
            }
            const parsed = typeof json === "object" && json !== null ? json : undefined;
            throw wire.statusError(raw.status, parsed, parsed ? undefined : text, headersOf(raw));
        }
        return { body: answer, headers: () => headersOf(raw) };
    }

    /** Closes the idle connections of the provider's own transport. */
    close(): void {
        this.#transport?.close();
    }
}
