/** Builds a provider from its config entry (providerConfig.ts). */
import type { ProviderConfig } from "./providerConfig.js";
import { AnthropicProvider } from "./anthropic/AnthropicProvider.js";
import { LocalProvider } from "./local/LocalProvider.js";
import { OpenAIProvider } from "./openai/OpenAIProvider.js";
import type { Provider } from "./Provider.js";

export function createProvider(
    id: string,
    config: ProviderConfig,
    env: Readonly<Record<string, string | undefined>> = process.env,
): Provider {
    switch (config.type) {
        case "anthropic":
            return new AnthropicProvider({ id, baseURL: config.baseURL, apiKeyEnv: config.apiKeyEnv, env });
        case "openai":
            return new OpenAIProvider({
                id,
                baseURL: config.baseURL,
                apiKeyEnv: config.apiKeyEnv,
                env,
                api: config.api,
            });
        case "local":
            return new LocalProvider({
                id,
                address: config.address,
                authToken: config.authTokenEnv === undefined ? undefined : env[config.authTokenEnv],
                tlsCaPath: config.tlsCaPath,
                toolCalls: config.toolCalls,
            });
    }
}

/** The secret values a config points at (API keys, tokens), for redaction. */
export function providerSecrets(
    providers: Readonly<Record<string, ProviderConfig>>,
    env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
    const secrets: string[] = [];
    for (const config of Object.values(providers)) {
        const name = config.type === "local" ? config.authTokenEnv : config.apiKeyEnv;
        const value = name === undefined ? undefined : env[name];
        if (value !== undefined && value !== "") secrets.push(value);
    }
    return secrets;
}
