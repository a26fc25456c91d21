/** What the gateway's server passes its endpoint handlers, and what each protocol face provides. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Router } from "../index.js";
import type { GatewayError } from "./GatewayError.js";
import type { KeySpendLimiter } from "./KeySpendLimiter.js";
import type { ModelCatalog } from "./ModelCatalog.js";
import type { SseWriter } from "./SseWriter.js";

/** One HTTP request in flight. */
export interface Exchange {
    readonly req: IncomingMessage;
    readonly res: ServerResponse;
    /** The request target's path, without the query. */
    readonly path: string;
    /** The gateway's id of this request (`x-request-id`). */
    readonly requestId: string;
    /** Fires when the client goes away before the response ended. */
    readonly signal: AbortSignal;
    /** Response headers gathered so far (request id, ignored fields); handlers add the route. */
    readonly headers: Record<string, string>;
    /** The caller's gateway key id (authenticate.ts), set once the key is checked; undefined without keys. */
    keyId: string | undefined;
}

export interface GatewayContext {
    readonly router: Router;
    readonly models: ModelCatalog;
    readonly maxBodyBytes: number;
    /** Per-key daily spend limits (gateway.spendLimit); undefined without a limit. */
    readonly spend: KeySpendLimiter | undefined;
}

/** A protocol's error shapes (OpenAI's or Anthropic's). */
export interface Face {
    /** The protocol, as the gateway's `protocol` metric label. */
    readonly protocol: "openai" | "anthropic";
    /** Status and JSON body of an error response. */
    error(error: GatewayError): { status: number; body: unknown };
    /** Reports an error inside an already opened event stream. */
    streamError(sse: SseWriter, error: GatewayError): void | Promise<void>;
}

export type Handler = (context: GatewayContext, exchange: Exchange) => Promise<void>;
