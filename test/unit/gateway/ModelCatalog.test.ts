import { describe, expect, it } from "vitest";
import { ModelCatalog } from "../../../src/gateway/ModelCatalog.js";
import { parseRouterConfig } from "../../../src/router/config.js";

const config = parseRouterConfig({
    providers: {
        local: { type: "local", address: "127.0.0.1:1" },
        anthropic: { type: "anthropic", apiKeyEnv: "K" },
    },
    tiers: [
        { name: "local", targets: [{ provider: "local", model: "t" }] },
        { name: "frontier", targets: [{ provider: "anthropic", model: "claude-opus-5-5" }] },
    ],
});

describe("ModelCatalog", () => {
    const catalog = new ModelCatalog(config, {
        "claude-*": "auto",
        "claude-haiku-*": "local",
        "claude-haiku-4-5-special": "frontier",
        "*": "local",
    });

    it("resolves an exact name first, then the longest prefix pattern", () => {
        expect(catalog.resolve("claude-opus-5-5")).toBe("frontier"); // a configured model
        expect(catalog.resolve("claude-haiku-4-5-special")).toBe("frontier"); // an exact alias
        expect(catalog.resolve("claude-haiku-4-5-20251001")).toBe("local");
        expect(catalog.resolve("claude-sonnet-4-5-20250929")).toBeUndefined(); // auto
        expect(catalog.resolve("gpt-4o")).toBe("local"); // "*" catches the rest
    });

    it("lists names, not patterns", () => {
        const ids = catalog.list().map((e) => e.id);
        expect(ids).toContain("claude-haiku-4-5-special");
        expect(ids.some((id) => id.endsWith("*"))).toBe(false);
    });

    it("is a 404 for a name no entry or pattern covers, and refuses a pattern to nowhere", () => {
        expect(() => new ModelCatalog(config, { "claude-*": "auto" }).resolve("gpt-4o")).toThrow(
            /model "gpt-4o" is not served here/,
        );
        expect(() => new ModelCatalog(config, { "claude-*": "mid" })).toThrow(/gateway\.models\.claude-\*/);
    });
});
