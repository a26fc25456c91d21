/**
 * The gateway's default tiering: which tiers exist for which keys, and the output cap of a request that
 * sets none (Codex CLI sends none and takes a cut answer as a failed stream).
 */
import { describe, expect, it } from "vitest";
import {
    defaultGatewayMaxTokens,
    defaultRouterConfig,
    localPromptLimit,
} from "../../../src/gateway/defaultRouterConfig.js";
import { parseRouterConfig } from "../../../src/router/config.js";

const options = { localAddresses: ["127.0.0.1:50051"], localModel: "t", localContextTokens: 8192 };

describe("defaultRouterConfig", () => {
    it("without keys: the local tier alone; with a key: mid and frontier by it", () => {
        expect(
            parseRouterConfig(defaultRouterConfig({ ...options, env: {} })).tiers.map((t) => t.name),
        ).toEqual(["local"]);
        const hosted = parseRouterConfig(
            defaultRouterConfig({ ...options, env: { ANTHROPIC_API_KEY: "sk-ant-x" } }),
        );
        expect(hosted.tiers.map((t) => `${t.name}:${t.targets.map((x) => x.model).join(",")}`)).toEqual([
            "local:t",
            "mid:claude-haiku-5-5",
            "frontier:claude-opus-5-5",
        ]);
    });

    it("caps an uncapped request at 32,768 tokens, not the router's 4,096, with or without hosted tiers", () => {
        for (const env of [{}, { OPENAI_API_KEY: "sk-x" }]) {
            const config = parseRouterConfig(defaultRouterConfig({ ...options, env }));
            expect(config.defaults.maxTokens).toBe(defaultGatewayMaxTokens);
        }
        expect(defaultGatewayMaxTokens).toBe(32_768);
        expect(
            parseRouterConfig({ ...defaultRouterConfig({ ...options, env: {} }), defaults: {} }).defaults
                .maxTokens,
        ).toBe(4096);
    });

    it("sends a prompt to mid when it leaves the local context too little room to answer in", () => {
        expect(localPromptLimit(8192)).toBe(6144); // a quarter kept
        expect(localPromptLimit(131_072)).toBe(122_880); // at most 8,192 kept
        const config = parseRouterConfig(
            defaultRouterConfig({ ...options, env: { ANTHROPIC_API_KEY: "sk-ant-x" } }),
        );
        const rule = config.policy.rules.find((r) => r.name === "long_context");
        expect(rule?.when.minContextTokens).toBe(6144);
    });
});
