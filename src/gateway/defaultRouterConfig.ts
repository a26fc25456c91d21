/**
 * The gateway's default tiering, used when the config has no `gateway.router` section:
 *
 * | tier       | targets                                   | when                                   |
 * |------------|-------------------------------------------|----------------------------------------|
 * | `local`    | the tiercel gRPC server(s) given          | default                                |
 * | `mid`      | claude-haiku-5-5, then gpt-5-mini         | tools, or a prompt that leaves the local context no room to answer (`localPromptLimit`) |
 * | `frontier` | claude-opus-5-5, then gpt-5.1-codex       | only by `model` (a forced tier)        |
 *
 * Requests that set no output cap get 32,768 tokens (`defaultGatewayMaxTokens`). OpenAI is spoken to on the Responses API. Hosted targets exist only for the keys set (ANTHROPIC_API_KEY, OPENAI_API_KEY); without either, only
 * `local` exists and every request goes there (its routing header says so). Requests the local tier
 * cannot take (tools) fall back to the hosted tiers; with none, they get a 400 saying why.
 */
import type { Config } from "../config/schema.js";
import type { RouterConfigInput } from "../index.js";

/**
 * Output cap of a request that sets none, in the default tiering (the router's own default is 4,096).
 * Codex CLI sends no `max_output_tokens`, and takes a `response.incomplete` as a stream that never
 * completed: it sends the same request again, which is cut again. An agent's file write runs past 4,096
 * tokens; 32,768 fits the default tiering's hosted models, and the local tier clamps any cap to the room
 * its context leaves. Set on the router, not on the request, so the classifier still reads the caller's
 * own `max_tokens` (a trained feature).
 */
export const defaultGatewayMaxTokens = 32_768;

/**
 * The longest prompt the default tiering sends to the local tier when hosted tiers exist: one that leaves
 * room for an answer. The local tier clamps a request's cap to the room its context leaves, so a prompt
 * at 97 % of the context would get an answer cut after a few hundred tokens (`max_tokens`, honest but
 * useless to an agent); a hosted tier's larger context answers it whole. The room kept is a quarter of the
 * context, at most 8,192 tokens (an agent's long edit).
 */
export function localPromptLimit(contextTokens: number): number {
    return contextTokens - Math.min(8_192, Math.floor(contextTokens / 4));
}

export const defaultMidModels = { anthropic: "claude-haiku-5-5", openai: "gpt-5-mini" } as const;
export const defaultFrontierModels = { anthropic: "claude-opus-5-5", openai: "gpt-5.1-codex" } as const;

export interface DefaultRouterConfigOptions {
    /** host:port of each local tiercel gRPC server (one target each, in this order). */
    localAddresses: readonly string[];
    /** The local target model id (the server's target). */
    localModel: string;
    /** The local tier's context window in tokens: longer prompts go to `mid` without trying it. */
    localContextTokens: number;
    /** Environment variable holding the local servers' bearer token, if they require one. */
    localAuthTokenEnv?: string | undefined;
    env: Readonly<Record<string, string | undefined>>;
}

export function defaultRouterConfig(options: DefaultRouterConfigOptions): RouterConfigInput {
    const providers: RouterConfigInput["providers"] = {};
    const local = options.localAddresses.map((address, i) => {
        const id = options.localAddresses.length === 1 ? "local" : `local-${i + 1}`;
        providers[id] = { type: "local", address, authTokenEnv: options.localAuthTokenEnv };
        return { provider: id, model: options.localModel };
    });
    const hosted = (["anthropic", "openai"] as const).filter((type) => {
        const key = options.env[type === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"];
        return key !== undefined && key !== "";
    });
    // OpenAI on the Responses API: gpt-5.1-codex is served by it only (Chat Completions refuses Codex
    // models), and Codex CLI's requests then reach it as they were sent (same-protocol pass-through).
    for (const type of hosted) providers[type] = type === "openai" ? { type, api: "responses" } : { type };
    const tiers: RouterConfigInput["tiers"] = [{ name: "local", targets: local }];
    const defaults = { maxTokens: defaultGatewayMaxTokens };
    if (hosted.length === 0) return { providers, tiers, defaults };
    tiers.push(
        { name: "mid", targets: hosted.map((type) => ({ provider: type, model: defaultMidModels[type] })) },
        {
            name: "frontier",
            targets: hosted.map((type) => ({ provider: type, model: defaultFrontierModels[type] })),
        },
    );
    return {
        providers,
        tiers,
        defaults,
        policy: {
            defaultTier: "local",
            rules: [
                { name: "tools", tier: "mid", when: { hasTools: true } },
                {
                    name: "long_context",
                    tier: "mid",
                    when: { minContextTokens: localPromptLimit(options.localContextTokens) },
                },
            ],
        },
    };
}

/**
 * The router env key the local tier's bearer token (`server.authToken`) travels under: the composition
 * root adds it to the router's env; it is never read from the process environment.
 */
export const localAuthTokenEnv = "TIERCEL_LOCAL_AUTH_TOKEN";

/**
 * The default tiering with the tiercel server a config describes as the local tier: `server.host` (a
 * wildcard becomes loopback) and `grpcPort`, its target model and context size.
 */
export function serverRouterConfig(
    config: Config,
    grpcPort: number,
    env: Readonly<Record<string, string | undefined>>,
): RouterConfigInput {
    const host = config.server.host;
    const local = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    return defaultRouterConfig({
        localAddresses: [`${local}:${grpcPort}`],
        localModel: config.models.target.id,
        localContextTokens: config.engine.contextSize,
        localAuthTokenEnv: config.server.authToken === undefined ? undefined : localAuthTokenEnv,
        env,
    });
}
