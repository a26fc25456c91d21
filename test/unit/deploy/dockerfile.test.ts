/**
 * Static checks of the Dockerfile and .dockerignore (no Docker engine here): multi-stage, CUDA runtime
 * base, production-only install, non-root user, our own health check, nothing fetched when it runs, and
 * every COPY source present in the build context.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { execForm, parseDockerfile, type Stage } from "./dockerfile.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dockerfile = parseDockerfile(readFileSync(`${root}Dockerfile`, "utf8"));
const stage = (name: string): Stage => {
    const found = dockerfile.stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
};
const runtimes = ["runtime-cuda", "runtime-cpu"].map(stage);
const instructionsOf = (s: Stage, keyword: string): string[] =>
    s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** .dockerignore patterns as regular expressions (`*` within a segment, `**` across, a directory covers its contents). */
function dockerignore(): RegExp[] {
    return readFileSync(`${root}.dockerignore`, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((pattern) => {
            if (pattern.startsWith("!"))
                throw new Error("negated .dockerignore patterns are not handled here");
            // Segment by segment: `**` spans directories, `*` stays within one.
            const body = pattern
                .split("/")
                .map((segment) =>
                    segment === "**"
                        ? "(?:.*/)?"
                        : `${segment.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}/`,
                )
                .join("")
                .replace(/\/$/, "");
            return new RegExp(`^${body}(?:/.*)?$`);
        });
}

describe("Dockerfile", () => {
    it("is multi-stage and its default target runs on a CUDA runtime image", () => {
        expect(dockerfile.stages.length).toBeGreaterThan(2);
        const last = dockerfile.stages.at(-1)!;
        expect(last.name).toBe("runtime-cuda");
        expect(last.from).toMatch(/^nvidia\/cuda:\d+\.\d+\.\d+-runtime-ubuntu\d+\.\d+$/);
    });

    it("installs production dependencies from the lockfile only", () => {
        const runs = dockerfile.stages.flatMap((s) => instructionsOf(s, "RUN"));
        expect(runs.some((r) => r.includes("npm ci --omit=dev"))).toBe(true);
        expect(runs.filter((r) => /\bnpm (install|i)\b/.test(r))).toEqual([]);
    });

    it("has a stage for every NATIVE choice", () => {
        // `FROM native-${NATIVE}`, read with the ARG's default.
        expect(dockerfile.stages.find((s) => s.name === "native")?.from).toBe("native-prebuilt");
        for (const choice of ["prebuilt", "source"]) expect(() => stage(`native-${choice}`)).not.toThrow();
    });

    it.each(runtimes.map((s) => [s.name!, s] as const))("%s runs as a non-root user", (_, s) => {
        const users = instructionsOf(s, "USER");
        expect(users).toHaveLength(1);
        expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    });

    it.each(runtimes.map((s) => [s.name!, s] as const))(
        "%s checks health with src/healthcheck.ts",
        (_, s) => {
            const [healthcheck] = instructionsOf(s, "HEALTHCHECK");
            const command = execForm(healthcheck?.replace(/^.*?\bCMD\s+/, "") ?? "");
            expect(command).toEqual(["node", "--import", "tsx", "src/healthcheck.ts"]);
            expect(existsSync(`${root}src/healthcheck.ts`)).toBe(true);
        },
    );

    it.each(runtimes.map((s) => [s.name!, s] as const))("%s downloads nothing when it runs", (_, s) => {
        expect(instructionsOf(s, "ENV").join(" ")).toContain("NODE_LLAMA_CPP_SKIP_DOWNLOAD=true");
        const [entrypoint] = instructionsOf(s, "ENTRYPOINT");
        const [script] = execForm(entrypoint ?? "") ?? [];
        expect(script).toBe("/app/deploy/docker-entrypoint.sh");
        const path = `${root}deploy/docker-entrypoint.sh`;
        accessSync(path, constants.X_OK);
        expect(spawnSync("sh", ["-n", path]).status).toBe(0);
        expect(readFileSync(path, "utf8")).not.toMatch(/\b(npm|npx|curl|wget)\b/);
        // Models come from the image or a read-only mount at /models, never from the network.
        expect(instructionsOf(s, "RUN").join(" ")).not.toMatch(/\b(curl|wget|apt-get)\b/);
    });

    it("copies only files that exist and that .dockerignore lets into the build context", () => {
        const ignored = dockerignore();
        const sources = dockerfile.stages
            .flatMap((s) => instructionsOf(s, "COPY"))
            .filter((args) => !args.startsWith("--from="))
            .flatMap((args) => args.split(/\s+/).slice(0, -1));
        expect(sources.length).toBeGreaterThan(4);
        for (const source of sources) {
            const path = source.replace(/\/$/, "");
            if (path.includes("*")) {
                const dir = path.slice(0, path.lastIndexOf("/"));
                expect(statSync(`${root}${dir}`).isDirectory(), source).toBe(true);
            } else {
                expect(existsSync(`${root}${path}`), source).toBe(true);
            }
            expect(
                ignored.filter((re) => re.test(path)),
                `${source} is excluded by .dockerignore`,
            ).toEqual([]);
        }
    });

    it(".dockerignore keeps dependencies, git history and local state out of the context", () => {
        const ignored = dockerignore();
        for (const path of [
            "node_modules/x",
            ".git/HEAD",
            ".tiercel/spec-state.json",
            "models/.cache/fixtures/a.gguf",
        ]) {
            expect(
                ignored.some((re) => re.test(path)),
                path,
            ).toBe(true);
        }
        for (const path of ["src/main.ts", "models/tiercel-code-target.Q8_0.gguf", "package-lock.json"]) {
            expect(
                ignored.some((re) => re.test(path)),
                path,
            ).toBe(false);
        }
    });
});
