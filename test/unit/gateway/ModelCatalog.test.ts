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

    it("gives auto and each tier a name Claude Code's picker keeps (claude-…), which beats a claude-* pattern", () => {
        expect(catalog.resolve("claude-tiercel-auto")).toBeUndefined();
        expect(catalog.resolve("claude-tiercel-local")).toBe("local");
        expect(catalog.resolve("claude-tiercel-frontier")).toBe("frontier");
        const pickers = catalog.list().filter((e) => e.kind === "picker");
        expect(pickers.map((e) => e.id)).toEqual(
            config.tiers.map((t) => `claude-tiercel-${t.name}`).toSpliced(0, 0, "claude-tiercel-auto"),
        );
        // An alias of the same name is the operator's choice and wins; an alias to a picker name is refused.
        expect(
            new ModelCatalog(config, { "claude-tiercel-local": "frontier" }).resolve("claude-tiercel-local"),
        ).toBe("frontier");
        expect(() => new ModelCatalog(config, { x: "claude-tiercel-local" })).toThrow(/gateway\.models\.x/);
    });

    it("lists names, not patterns", () => {
        const ids = catalog.list().map((e) => e.id);
        expect(ids).toContain("claude-haiku-4-5-special");
        expect(ids.some((id) => id.endsWith("*"))).toBe(false);
    });

    it("describes a name a pattern serves as an alias of that name (what GET /v1/models/{id} answers)", () => {
        expect(catalog.entry("claude-haiku-4-5-20251001")).toEqual({
            id: "claude-haiku-4-5-20251001",
            tier: "local",
            kind: "alias",
        });
        expect(catalog.entry("auto")).toEqual({ id: "auto", tier: undefined, kind: "router" });
        expect(catalog.entry("t")).toEqual({ id: "t", tier: "local", kind: "model" });
    });

    it("is a 404 for a name no entry or pattern covers, and refuses a pattern to nowhere", () => {
        expect(() => new ModelCatalog(config, { "claude-*": "auto" }).resolve("gpt-4o")).toThrow(
            /model "gpt-4o" is not served here/,
        );
        expect(() => new ModelCatalog(config, { "claude-*": "mid" })).toThrow(/gateway\.models\.claude-\*/);
    });
});
