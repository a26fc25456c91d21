/**
 * One strict parse for every config schema (the server's and the router's): validate, list every
 * problem with its path and what to do about it, and deep-freeze the result so nothing downstream can
 * change the configuration it was given.
 */
import type { z } from "zod";
import { ConfigError } from "../errors/ServiceError.js";

export interface ParseStrictOptions {
    /** What was parsed, for the message's first line, e.g. `configuration in /etc/tiercel.json`. */
    what: string;
    /** The README section documenting the keys, named in the advice for unknown keys. */
    readmeSection: string;
}

/** Parses `input` with `schema`; throws ConfigError listing every issue (path: message). */
export function parseStrict<S extends z.ZodType>(
    schema: S,
    input: unknown,
    options: ParseStrictOptions,
): z.output<S> {
    const result = schema.safeParse(input);
    if (!result.success) {
        throw new ConfigError(`invalid ${options.what}:\n${describeIssues(result.error.issues, options)}`);
    }
    return deepFreeze(result.data);
}

/** Explains each zod issue on one line, with its path and what to do about it. */
function describeIssues(issues: readonly z.core.$ZodIssue[], options: ParseStrictOptions): string {
    const lines = issues.map((issue) => {
        const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
        if (issue.code === "unrecognized_keys") {
            const where = issue.path.length > 0 ? `"${path}"` : "the top level";
            const keys = issue.keys.map((k) => `"${k}"`).join(", ");
            return `  - unknown key(s) ${keys} in ${where}: remove them or check the spelling against the README's ${options.readmeSection} section`;
        }
        return `  - ${path}: ${issue.message}`;
    });
    return lines.join("\n");
}

/** Freezes an object and everything it holds. */
function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
    }
    return value;
}
