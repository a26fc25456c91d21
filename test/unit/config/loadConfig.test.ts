import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../src/config/loadConfig.js";
import {
    defaultContextSize,
    defaultGatewayRateLimitBurst,
    defaultMaxDraftTokens,
} from "../../../src/config/defaults.js";
import { ConfigError } from "../../../src/errors/ServiceError.js";
import { ErrorCode } from "../../../src/errors/codes.js";

function configError(input: unknown): ConfigError {
    try {
        parseConfig(input, "test.json");
    } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
    }
    throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
    it("applies every default to an empty config and freezes the result", () => {
        const config = parseConfig({});
        expect(config.engine.contextSize).toBe(defaultContextSize);
        expect(config.engine.prefixReuse).toBe(true);
        expect(config.speculation.maxDraftTokens).toBe(defaultMaxDraftTokens);
        expect(config.speculation.ngram).toEqual({ minN: 2, maxN: 4 });
        expect(config.models.target.id).toBe("tiercel-code-target");
        expect(Object.isFrozen(config.engine)).toBe(true);
        expect(() => {
            (config.engine as { sequences: number }).sequences = 9;
        }).toThrow(TypeError);
    });

    it("keeps given values and fills the rest of a section", () => {
        const config = parseConfig({ engine: { sequences: 8 }, speculation: { ngram: { maxN: 6 } } });
        expect(config.engine.sequences).toBe(8);
        expect(config.engine.maxQueue).toBe(64);
        expect(config.speculation.ngram).toEqual({ minN: 2, maxN: 6 });
    });

    it("rejects unknown keys at any depth, naming the key and what to do", () => {
        const error = configError({ engine: { threds: 4 }, extra: true });
        expect(error.code).toBe(ErrorCode.ConfigInvalid);
        expect(error.message).toContain('unknown key(s) "threds" in "engine"');
        expect(error.message).toContain('unknown key(s) "extra" in the top level');
        expect(error.message).toContain("remove them or check the spelling");
    });

    it("lists every invalid value with its path", () => {
        const error = configError({
            engine: { contextSize: 10, gpu: "tpu" },
            speculation: { minDraftConfidence: 2, ngram: { minN: 5, maxN: 3 } },
            models: { target: { id: "t", sha256: "xyz" } },
        });
        for (const path of [
            "engine.contextSize",
            "engine.gpu",
            "speculation.minDraftConfidence",
            "models.target.sha256",
        ]) {
            expect(error.message).toContain(path);
        }
        expect(error.message).toContain("ngram.minN must be ≤ ngram.maxN");
    });

    it("has no gateway rate limit by default; a given one gets the default burst", () => {
        expect(parseConfig({}).gateway.rateLimit).toBeUndefined();
        expect(parseConfig({ gateway: { rateLimit: { requestsPerMinute: 30 } } }).gateway.rateLimit).toEqual({
            requestsPerMinute: 30,
            burst: defaultGatewayRateLimitBurst,
        });
        const error = configError({ gateway: { rateLimit: { requestsPerMinute: 0, burst: 0 } } });
        expect(error.message).toContain("gateway.rateLimit.requestsPerMinute");
        expect(error.message).toContain("gateway.rateLimit.burst");
    });

    it("has no gateway spend limit by default; a given one must be a positive dollar amount", () => {
        expect(parseConfig({}).gateway.spendLimit).toBeUndefined();
        expect(parseConfig({ gateway: { spendLimit: { usdPerDay: 5 } } }).gateway.spendLimit).toEqual({
            usdPerDay: 5,
            stateFile: ".tiercel/spend.json",
        });
        expect(
            parseConfig({ gateway: { spendLimit: { usdPerDay: 5, stateFile: null } } }).gateway.spendLimit
                ?.stateFile,
        ).toBeNull();
        expect(configError({ gateway: { spendLimit: { usdPerDay: 0 } } }).message).toContain(
            "gateway.spendLimit.usdPerDay",
        );
    });
});

describe("loadConfig", () => {
    it("reads a JSON file and resolves paths against its directory", () => {
        const dir = mkdtempSync(join(tmpdir(), "tiercel-config-"));
        const path = join(dir, "config.json");
        writeFileSync(path, JSON.stringify({ engine: { sequences: 2 } }));
        const loaded = loadConfig(path);
        expect(loaded.baseDir).toBe(dir);
        expect(loaded.config.engine.sequences).toBe(2);
    });

    it("explains unreadable and malformed files", () => {
        expect(() => loadConfig("/nonexistent/tiercel.json")).toThrow(/cannot read config file .*--config/);
        const dir = mkdtempSync(join(tmpdir(), "tiercel-config-"));
        const path = join(dir, "bad.json");
        writeFileSync(path, "{ engine: ");
        expect(() => loadConfig(path)).toThrow(/not valid JSON/);
    });
});
