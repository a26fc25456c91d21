/**
 * Gateway keys: a caller presents one as `Authorization: Bearer <key>` (OpenAI SDKs, Claude Code's
 * ANTHROPIC_AUTH_TOKEN) or `x-api-key: <key>` (Anthropic SDKs, ANTHROPIC_API_KEY). Keys are compared in
 * constant time over their SHA-256 digests (equal lengths, so `timingSafeEqual` never throws and the
 * length of a key does not leak), and every configured key is compared, so the time does not say which
 * one matched either. Gateway keys are never forwarded upstream: providers use their own keys from env.
 * A matched key is known by its id, `key-` and the first 12 hex digits of its SHA-256 digest: it names
 * the caller in cache namespaces, limits and logs without being the secret.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "./GatewayError.js";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** The key a request presents, if any. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
    const authorization = headers.authorization;
    if (authorization !== undefined) {
        const match = /^Bearer\s+(.+)$/i.exec(authorization);
        if (match) return match[1]!.trim();
    }
    const apiKey = headers["x-api-key"];
    return typeof apiKey === "string" && apiKey !== "" ? apiKey : undefined;
}

/** The id of a key: not secret, stable across restarts and key-list order. */
export function keyIdOf(key: string): string {
    return `key-${digest(key).toString("hex").slice(0, 12)}`;
}

/**
 * A checker over `keys`: returns the matching key's id (its cache namespace and rate limit), or throws an
 * `authentication` GatewayError. With no keys every request passes when `host` is loopback; on any other
 * host every request is refused (fail closed), with a message saying how to configure keys. The server
 * still starts there, so health probes of a container bound to 0.0.0.0 work before keys are set.
 */
export function authenticate(
    keys: readonly string[],
    host: string,
): (headers: IncomingHttpHeaders) => string | undefined {
    const digests = keys.map(digest);
    const ids = keys.map(keyIdOf);
    const open = digests.length === 0 && isLoopbackHost(host);
    return (headers) => {
        if (open) return undefined;
        if (digests.length === 0) {
            throw new GatewayError(
                "authentication",
                `the gateway listens on ${host}, beyond loopback, and has no keys: set TIERCEL_GATEWAY_KEYS (comma-separated, 16+ characters each) or gateway.keys, then send one as a bearer token`,
            );
        }
        const key = presentedKey(headers);
        if (key === undefined) {
            throw new GatewayError(
                "authentication",
                "missing gateway key: send `Authorization: Bearer <key>` or `x-api-key: <key>` with one of the keys in TIERCEL_GATEWAY_KEYS",
            );
        }
        const presented = digest(key);
        let matched = -1;
        digests.forEach((d, i) => {
            if (timingSafeEqual(d, presented) && matched < 0) matched = i;
        });
        if (matched < 0) throw new GatewayError("authentication", "invalid gateway key");
        return ids[matched];
    };
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
    return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
