import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { logFormat } from "../../../src/util/logger.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

async function logLines(env: Record<string, string>): Promise<string[]> {
    const script = `import { createLogger } from "./src/util/logger.ts";
const log = createLogger("engine");
log.info("models loaded", { target: "t", drafts: ["d"] });
log.warn("slow", { ms: 12 });`;
    const { stderr } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
    });
    return stderr.trim().split("\n");
}

describe("logger", () => {
    it("is pretty on a terminal, JSON when piped, and the environment can force either", () => {
        expect(logFormat({}, true)).toBe("pretty");
        expect(logFormat({}, false)).toBe("json");
        expect(logFormat({ TIERCEL_LOG_FORMAT: "json" }, true)).toBe("json");
        expect(logFormat({ TIERCEL_LOG_FORMAT: "pretty" }, false)).toBe("pretty");
        expect(logFormat({ TIERCEL_LOG_FORMAT: "xml" }, false)).toBe("json");
    });

    it("writes one JSON object per line with time, level name, component, message and the fields", async () => {
        const lines = await logLines({ TIERCEL_LOG_FORMAT: "json" });
        expect(lines).toHaveLength(2);
        const first = JSON.parse(lines[0]!) as Record<string, unknown>;
        expect(first).toMatchObject({
            level: "info",
            component: "engine",
            message: "models loaded",
            target: "t",
        });
        expect(new Date(first.time as string).toISOString()).toBe(first.time);
        expect(JSON.parse(lines[1]!)).toMatchObject({ level: "warn", message: "slow", ms: 12 });
    });

    it("pretty lines read as sentences with the component, and TIERCEL_LOG_LEVEL filters", async () => {
        const lines = await logLines({
            TIERCEL_LOG_FORMAT: "pretty",
            TIERCEL_LOG_LEVEL: "warn",
            NO_COLOR: "1",
        });
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/WARN.*\[engine\] slow.*"ms":12/);
    });
});
