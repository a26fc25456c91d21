import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors/ServiceError.js";
import { parseStrict } from "./parseStrict.js";
import { configSchema, type Config } from "./schema.js";

/** The project root: bundled model paths are relative to it. */
export const projectRoot = resolve(import.meta.dirname, "../..");

export interface LoadedConfig {
    config: Config;
    /** Directory relative paths in the config resolve against. */
    baseDir: string;
}

/** Validates an already-parsed config object. Throws ConfigError listing every problem. */
export function parseConfig(input: unknown, source = "config"): Config {
    return parseStrict(configSchema, input ?? {}, {
        what: `configuration in ${source}`,
        readmeSection: "configuration",
    });
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
