/**
 * The constructor and key handling both hosted providers share. The SDK client is built once per
 * provider with an explicit API key read from the configured environment variable, `maxRetries: 0` (the
 * router is the only retry loop), a backstop timeout, and the provider's own keep-alive transport
 * (KeepAliveFetch.ts) as its `fetch`. Without a key no client is built at all (an SDK left to itself
 * goes looking for credentials elsewhere), and every call fails with E_PROVIDER_AUTH naming the variable
 * to set, before any request is made. The SDKs' loggers stay at their default level (`off`), so they
 * format nothing beyond what they compute eagerly.
 */
import { ErrorCode } from "../errors/codes.js";
import { KeepAliveFetch } from "./KeepAliveFetch.js";
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
}

/** The SDK's backstop timeout: longer than any router attempt budget, so the router's fires first. */
export const defaultSdkTimeoutMs = 3_600_000;

/** An SDK client, or the reason there is none. */
export class SdkClient<TClient> {
    readonly #provider: string;
    readonly #client: TClient | undefined;
    readonly #missingKey: string | undefined;
    readonly #transport: KeepAliveFetch | undefined;

    constructor(options: HostedProviderOptions, create: (options: SdkClientOptions) => TClient) {
        this.#provider = options.id;
        this.#transport = options.fetch === undefined ? new KeepAliveFetch() : undefined;
        const apiKey = (options.env ?? process.env)[options.apiKeyEnv];
        if (apiKey === undefined || apiKey === "") {
            this.#missingKey = `no API key: set the ${options.apiKeyEnv} environment variable`;
            return;
        }
        this.#client = create({
            apiKey,
            baseURL: options.baseURL ?? null,
            maxRetries: 0,
            timeout: options.timeoutMs ?? defaultSdkTimeoutMs,
            fetch: options.fetch ?? this.#transport!.fetch,
        });
    }

    /** The client; throws E_PROVIDER_AUTH when the key was missing. */
    get(): TClient {
        if (this.#client !== undefined) return this.#client;
        throw new ProviderError(this.#provider, ErrorCode.ProviderAuth, this.#missingKey ?? "no client");
    }

    /** Closes the idle connections of the provider's own transport. */
    close(): void {
        this.#transport?.close();
    }
}
