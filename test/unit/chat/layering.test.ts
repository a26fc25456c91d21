/**
 * The dependency rule between the chat format, the providers and the router: chat/ is a leaf, providers/
 * may import chat/ but not router/ (the router imports providers/, so the other way is a cycle).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../../../src");

/** Every relative import of every .ts file under `dir`, resolved to a path inside src/. */
function importsUnder(dir: string): { file: string; target: string }[] {
    const found: { file: string; target: string }[] = [];
    for (const entry of readdirSync(join(src, dir), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
        const path = join(entry.parentPath, entry.name);
        const text = readFileSync(path, "utf8");
        for (const match of text.matchAll(/from "(\.[^"]+)"/g)) {
            const target = relative(src, resolve(entry.parentPath, match[1]!));
            found.push({ file: relative(src, path), target });
        }
    }
    return found;
}

const topOf = (path: string): string => path.split("/")[0]!;

describe("layering", () => {
    it("chat/ imports nothing from the rest of src/ but errors/", () => {
        const outside = importsUnder("chat").filter((i) => !["chat", "errors"].includes(topOf(i.target)));
        expect(outside).toEqual([]);
    });

    it("providers/ imports nothing from router/", () => {
        const imports = importsUnder("providers");
        expect(imports.length).toBeGreaterThan(0);
        expect(imports.filter((i) => topOf(i.target) === "router")).toEqual([]);
    });
});
