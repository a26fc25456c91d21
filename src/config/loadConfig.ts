import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors/ServiceError.js";
import { configSchema, type Config } from "./schema.js";

/** The project root: bundled model paths are relative to it. */
export const projectRoot = resolve(import.meta.dirname, "../..");

export interface LoadedConfig {
    config: Config;
    /** Directory relative paths in the config resolve against. */
    baseDir: string;
}

/** Explains each zod issue on one line, with its path and what to do about it. */
function describeIssues(issues: readonly z.core.$ZodIssue[], source: string): string {
    const lines = issues.map((issue) => {
        const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
        if (issue.code === "unrecognized_keys") {
            const where = issue.path.length > 0 ? `"${path}"` : "the top level";
            return `  - unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} in ${where}: remove them or check the spelling against the README's configuration section`;
        }
        return `  - ${path}: ${issue.message}`;
    });
    return `invalid configuration in ${source}:\n${lines.join("\n")}`;
}

/** Validates an already-parsed config object. Throws ConfigError listing every problem. */
export function parseConfig(input: unknown, source = "config"): Config {
    const result = configSchema.safeParse(input ?? {});
    if (!result.success) throw new ConfigError(describeIssues(result.error.issues, source));
    return deepFreeze(result.data);
}

/** Reads and validates a JSON config file; without a path, the defaults (bundled models). */
export function loadConfig(path?: string): LoadedConfig {
    if (path === undefined) return { config: parseConfig({}, "defaults"), baseDir: projectRoot };
    const absolute = resolve(path);
    let text: string;
    try {
        text = readFileSync(absolute, "utf8");
    } catch (cause) {
        throw new ConfigError(`cannot read config file ${absolute}: check the --config path`, { cause });
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (cause) {
        throw new ConfigError(`config file ${absolute} is not valid JSON: ${(cause as Error).message}`, {
            cause,
        });
    }
    return { config: parseConfig(json, absolute), baseDir: dirname(absolute) };
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
    }
    return value;
}
