/**
 * A request carrying content only its own protocol has (NativeRequest.only): each provider takes it only
 * when it sends that protocol's body as written, and skips it otherwise with the content named.
 */
import { describe, expect, it } from "vitest";
import type { NativeRequest } from "../../../src/chat/types.js";
import { AnthropicProvider } from "../../../src/providers/anthropic/AnthropicProvider.js";
import { LocalProvider } from "../../../src/providers/local/LocalProvider.js";
import { OpenAIProvider } from "../../../src/providers/openai/OpenAIProvider.js";
import type { Provider, ProviderRequest } from "../../../src/providers/Provider.js";

const only = "image blocks (no form outside the Messages API)";
const request = (native: NativeRequest | undefined): ProviderRequest => ({
    model: "m",
    max_tokens: 1,
    messages: [{ role: "user", content: "[image]" }],
    ...(native === undefined ? {} : { native }),
});
const from = (protocol: NativeRequest["protocol"], withOnly = true): ProviderRequest =>
    request({ protocol, body: {}, extras: [], ...(withOnly ? { only } : {}) });

describe("providers and content only the caller's protocol carries", () => {
    const anthropic = new AnthropicProvider({ id: "a", apiKeyEnv: "K", env: { K: "sk-ant-x" } });
    const chat = new OpenAIProvider({ id: "o", apiKeyEnv: "K", env: { K: "sk-x" } });
    const responses = new OpenAIProvider({ id: "r", api: "responses", apiKeyEnv: "K", env: { K: "sk-x" } });
    const local = new LocalProvider({ id: "l", address: "127.0.0.1:1", toolCalls: true });

    const cases: [NativeRequest["protocol"], Provider, Provider[]][] = [
        ["anthropic-messages", anthropic, [chat, responses, local]],
        ["openai-chat", chat, [anthropic, responses, local]],
        ["openai-responses", responses, [anthropic, chat, local]],
    ];
    it.each(cases)(
        "%s: its own provider takes it; the others skip it, naming the content",
        (protocol, own, others) => {
            expect(own.unsupported(from(protocol))).toBeUndefined();
            for (const other of others) {
                expect(other.unsupported(from(protocol))).toBe(
                    `${only}: only a provider speaking the caller's protocol (${protocol}) is sent it as written`,
                );
                // Without such content every provider may translate the request.
                expect(other.unsupported(from(protocol, false))).toBeUndefined();
            }
        },
    );

    it("a request without a native body is taken by all", () => {
        for (const provider of [anthropic, chat, responses, local])
            expect(provider.unsupported(request(undefined))).toBeUndefined();
        local.close();
    });
});
