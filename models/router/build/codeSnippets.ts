/**
 * Seeded generators of the code a coding agent's requests carry: functions in several languages,
 * whole files, multi-file bundles, diffs and stack traces, with identifiers drawn from word lists so no
 * two requests paste the same text. Used by buildDataset.ts only; nothing here has to compile, it has
 * to look like what agents send.
 */
import type { Rng } from "./rng.js";

export type Language = "ts" | "python" | "go" | "rust" | "java" | "sql";

export const languages: readonly Language[] = [
    "ts",
    "ts",
    "ts",
    "python",
    "python",
    "go",
    "rust",
    "java",
    "sql",
];

const verbs = [
    "get",
    "load",
    "parse",
    "build",
    "compute",
    "fetch",
    "save",
    "update",
    "validate",
    "render",
    "merge",
    "normalize",
    "resolve",
    "format",
    "sync",
    "find",
    "create",
    "delete",
    "encode",
    "decode",
    "apply",
    "collect",
];
const nouns = [
    "User",
    "Order",
    "Invoice",
    "Session",
    "Token",
    "Config",
    "Cache",
    "Record",
    "Event",
    "Payload",
    "Account",
    "Cart",
    "Report",
    "Message",
    "Queue",
    "Job",
    "Snapshot",
    "Route",
    "Metric",
    "Tenant",
    "Shipment",
    "Ledger",
];
export const fields = [
    "id",
    "name",
    "total",
    "count",
    "createdAt",
    "status",
    "owner",
    "items",
    "price",
    "email",
    "retries",
    "limit",
];
export const dirs = [
    "api",
    "core",
    "db",
    "auth",
    "billing",
    "jobs",
    "web",
    "util",
    "services",
    "models",
    "handlers",
];

export interface Snippet {
    language: Language;
    /** The function or query's main identifier. */
    name: string;
    code: string;
    /** Source lines. */
    lines: number;
}

export function identifier(rng: Rng): string {
    return `${rng.pick(verbs)}${rng.pick(nouns)}`;
}

export function noun(rng: Rng): string {
    return rng.pick(nouns);
}

function snake(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, "");
}

function pascal(name: string): string {
    return name[0]!.toUpperCase() + name.slice(1);
}

function body(rng: Rng, language: Language, name: string, size: number): string[] {
    const a = rng.pick(fields);
    const b = rng.pick(fields.filter((f) => f !== a));
    const n = noun(rng);
    const lines: string[] = [];
    switch (language) {
        case "ts":
            lines.push(
                `export ${rng.chance(0.4) ? "async " : ""}function ${name}(${snake(n)}s: ${n}[], limit = ${rng.int(90) + 10}): ${n}[] {`,
            );
            lines.push(`    const out: ${n}[] = [];`);
            for (let i = 0; i < size; i++) {
                lines.push(
                    rng.pick([
                        `    for (const item of ${snake(n)}s) {`,
                        `    if (out.length >= limit) return out;`,
                        `    const ${b}ByKey = new Map(${snake(n)}s.map((x) => [x.${a}, x.${b}]));`,
                        `    // keep the ${a} stable across retries`,
                        `    const filtered = ${snake(n)}s.filter((x) => x.${a} !== undefined && x.${b} > ${rng.int(50)});`,
                        `    out.push(...filtered.slice(0, limit));`,
                        `    if (!${snake(n)}s.length) throw new Error("no ${snake(n)}s to ${name}");`,
                        `    }`,
                    ]),
                );
            }
            lines.push("    return out;", "}");
            break;
        case "python":
            lines.push(`def ${snake(name)}(${snake(n)}s, limit=${rng.int(90) + 10}):`);
            for (let i = 0; i < size; i++) {
                lines.push(
                    rng.pick([
                        `    out = [x for x in ${snake(n)}s if x.${snake(a)} is not None]`,
                        `    for item in ${snake(n)}s:`,
                        `        if item.${snake(b)} > ${rng.int(50)}:`,
                        `            out.append(item)`,
                        `    by_key = {x.${snake(a)}: x for x in ${snake(n)}s}`,
                        `    if not ${snake(n)}s:`,
                        `        raise ValueError("no ${snake(n)}s")`,
                        `    # TODO: handle ${snake(b)} overflow`,
                    ]),
                );
            }
            lines.push("    return out[:limit]");
            break;
        case "go":
            lines.push(
                `func ${pascal(name)}(${snake(n)}s []${n}, limit int) ([]${n}, error) {`,
                `\tout := make([]${n}, 0, limit)`,
            );
            for (let i = 0; i < size; i++) {
                lines.push(
                    rng.pick([
                        `\tfor _, x := range ${snake(n)}s {`,
                        `\t\tif x.${pascal(a)} == "" { continue }`,
                        `\t\tout = append(out, x)`,
                        `\t}`,
                        `\tif len(${snake(n)}s) == 0 { return nil, fmt.Errorf("no ${snake(n)}s") }`,
                        `\tmu.Lock()`,
                        `\tdefer mu.Unlock()`,
                    ]),
                );
            }
            lines.push("\treturn out, nil", "}");
            break;
        case "rust":
            lines.push(
                `pub fn ${snake(name)}(${snake(n)}s: &[${n}], limit: usize) -> Result<Vec<${n}>, Error> {`,
                "    let mut out = Vec::with_capacity(limit);",
            );
            for (let i = 0; i < size; i++) {
                lines.push(
                    rng.pick([
                        `    for x in ${snake(n)}s.iter() {`,
                        `        if x.${snake(a)}.is_none() { continue; }`,
                        `        out.push(x.clone());`,
                        `    }`,
                        `    let by_key: HashMap<_, _> = ${snake(n)}s.iter().map(|x| (x.${snake(a)}, x)).collect();`,
                        `    if ${snake(n)}s.is_empty() { return Err(Error::Empty); }`,
                    ]),
                );
            }
            lines.push("    Ok(out)", "}");
            break;
        case "java":
            lines.push(
                `public List<${n}> ${name}(List<${n}> ${snake(n)}s, int limit) {`,
                `    List<${n}> out = new ArrayList<>();`,
            );
            for (let i = 0; i < size; i++) {
                lines.push(
                    rng.pick([
                        `    for (${n} x : ${snake(n)}s) {`,
                        `        if (x.get${pascal(a)}() == null) continue;`,
                        `        out.add(x);`,
                        `    }`,
                        `    synchronized (lock) { cache.put(key, out); }`,
                        `    if (${snake(n)}s.isEmpty()) throw new IllegalArgumentException("empty");`,
                    ]),
                );
            }
            lines.push("    return out;", "}");
            break;
        case "sql":
            lines.push(
                `SELECT o.${snake(a)}, COUNT(*) AS n, SUM(o.${snake(b)}) AS total`,
                `FROM ${snake(n)}s o`,
                `JOIN ${snake(noun(rng))}s u ON u.id = o.${snake(noun(rng))}_id`,
                `WHERE o.created_at > NOW() - INTERVAL '${rng.int(30) + 1} days'`,
                `GROUP BY o.${snake(a)}`,
                `ORDER BY total DESC`,
                `LIMIT ${rng.int(90) + 10};`,
            );
            break;
    }
    return lines;
}

/** One function (or query) of `size` body lines (roughly). */
export function snippet(rng: Rng, language: Language = rng.pick(languages), size = 2 + rng.int(8)): Snippet {
    const name = identifier(rng);
    const lines = body(rng, language, name, size);
    const shown =
        language === "go" ? pascal(name) : language === "python" || language === "rust" ? snake(name) : name;
    return {
        language,
        name: language === "sql" ? "query" : shown,
        code: lines.join("\n"),
        lines: lines.length,
    };
}

/** A whole source file of about `functions` functions. */
export function sourceFile(rng: Rng, language: Exclude<Language, "sql">, functions: number): Snippet {
    const header =
        language === "ts"
            ? [
                  `import { ${noun(rng)} } from "../${rng.pick(dirs)}/${noun(rng).toLowerCase()}.js";`,
                  `import { z } from "zod";`,
                  "",
              ]
            : language === "python"
              ? ["import logging", "from dataclasses import dataclass", ""]
              : language === "go"
                ? ["package " + rng.pick(dirs), "", 'import "fmt"', ""]
                : language === "rust"
                  ? ["use std::collections::HashMap;", ""]
                  : ["package com.example." + rng.pick(dirs) + ";", "", "import java.util.*;", ""];
    const parts = [header.join("\n")];
    let first = "";
    for (let i = 0; i < functions; i++) {
        const s = snippet(rng, language, 3 + rng.int(10));
        if (i === 0) first = s.name;
        parts.push(s.code);
    }
    const code = parts.join("\n\n");
    return { language, name: first, code, lines: code.split("\n").length };
}

export const fence = (s: Snippet): string => `\`\`\`${s.language}\n${s.code}\n\`\`\``;

const extension: Record<Language, string> = {
    ts: "ts",
    python: "py",
    go: "go",
    rust: "rs",
    java: "java",
    sql: "sql",
};

/** Several files of one project with their paths, as agents paste them. */
export function fileBundle(
    rng: Rng,
    language: Exclude<Language, "sql">,
    files: number,
): { text: string; paths: string[] } {
    const paths: string[] = [];
    const blocks: string[] = [];
    for (let i = 0; i < files; i++) {
        const path = `src/${rng.pick(dirs)}/${snake(identifier(rng))}.${extension[language]}`;
        paths.push(path);
        blocks.push(`${path}:\n${fence(sourceFile(rng, language, 1 + rng.int(3)))}`);
    }
    return { text: blocks.join("\n\n"), paths };
}

/** A unified diff of a small change. */
export function diff(rng: Rng, hunks: number): string {
    const out: string[] = [];
    for (let h = 0; h < hunks; h++) {
        const path = `src/${rng.pick(dirs)}/${snake(identifier(rng))}.ts`;
        const s = snippet(rng, "ts", 2 + rng.int(4)).code.split("\n");
        out.push(
            `diff --git a/${path} b/${path}`,
            `--- a/${path}`,
            `+++ b/${path}`,
            `@@ -${rng.int(200) + 1},${s.length} +${rng.int(200) + 1},${s.length + 1} @@`,
        );
        s.forEach((line, i) =>
            out.push(
                i === 1
                    ? `-${line}`
                    : i === 2
                      ? `+${line}\n+    ${rng.pick(["// clamp", "logger.debug(out);", "return out;"])}`
                      : ` ${line}`,
            ),
        );
    }
    return out.join("\n");
}

/** A runtime error as the agent saw it. */
export function stackTrace(rng: Rng, language: Language, name: string): string {
    const field = rng.pick(fields);
    switch (language) {
        case "python":
            return `Traceback (most recent call last):\n  File "app/${rng.pick(dirs)}.py", line ${rng.int(300) + 1}, in ${name}\n    total += item.${field}\nTypeError: unsupported operand type(s) for +=: 'int' and 'NoneType'`;
        case "go":
            return `panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\ngoroutine 1 [running]:\nmain.${name}(...)\n\t/app/${rng.pick(dirs)}/main.go:${rng.int(300) + 1}`;
        case "rust":
            return `thread 'main' panicked at src/${rng.pick(dirs)}.rs:${rng.int(300) + 1}:9:\ncalled \`Option::unwrap()\` on a \`None\` value`;
        case "java":
            return `java.lang.NullPointerException: Cannot invoke "String.length()" because "${field}" is null\n\tat com.example.${pascal(rng.pick(dirs))}.${name}(${pascal(rng.pick(dirs))}.java:${rng.int(300) + 1})`;
        default:
            return `TypeError: Cannot read properties of undefined (reading '${field}')\n    at ${name} (src/${rng.pick(dirs)}/${snake(name)}.ts:${rng.int(300) + 1}:${rng.int(40) + 1})\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)`;
    }
}
