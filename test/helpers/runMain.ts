/**
 * Runs a process entry under tsx in its own process, as `npm start` (`src/main.ts`) or `npm run gateway`
 * (`src/gatewayMain.ts`) does, and watches what it prints: a log line matching a pattern, the ready line
 * with the bound addresses, the exit code.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AppAddresses } from "../../src/app.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Flags that bind every port to a free one. */
export const freePortFlags: readonly string[] = [
    "--grpc-port",
    "0",
    "--metrics-port",
    "0",
    "--http-port",
    "0",
];

/** The addresses the ready log line reports (`npm run gateway` serves no gRPC: no `grpc`). */
export interface ReadyLine {
    grpc: string;
    metrics: string;
    gateway: string;
}

/** The process entries a user starts. */
export type MainEntry = "src/main.ts" | "src/gatewayMain.ts";

export interface RunningMain {
    /** Resolves with the first output line (stdout or stderr) that matches; rejects if the process exits first. */
    waitFor(pattern: RegExp): Promise<string>;
    /** Waits for the ready line (models loaded, serving) and parses it. */
    ready(): Promise<ReadyLine>;
    /** Resolves with the exit code (null when killed by a signal). */
    exited: Promise<number | null>;
    kill(signal: NodeJS.Signals): void;
}

export function runMain(
    args: readonly string[],
    env: Record<string, string> = {},
    entry: MainEntry = "src/main.ts",
): RunningMain {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    const onData = (data: Buffer): void => {
        output += data.toString();
        for (const w of [...waiters]) {
            const line = output.split("\n").find((l) => w.pattern.test(l));
            if (line !== undefined) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(line);
            }
        }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const waitFor = (pattern: RegExp): Promise<string> =>
        new Promise<string>((resolve, reject) => {
            waiters.push({ pattern, resolve });
            onData(Buffer.alloc(0));
            void exited.then(() => {
                reject(new Error(`exited before ${String(pattern)}; output:\n${output}`));
            });
        });
    return {
        waitFor,
        ready: async () => JSON.parse(await waitFor(/"message":"ready/)) as ReadyLine,
        exited,
        kill: (signal) => child.kill(signal),
    };
}

/** The ready line's addresses in the form connectClient takes (ports are not in the line: 0). */
export function readyAddresses(ready: ReadyLine): AppAddresses {
    return {
        grpcAddress: ready.grpc,
        grpcPort: 0,
        metricsUrl: ready.metrics,
        metricsPort: 0,
        gatewayUrl: ready.gateway,
        httpPort: 0,
    };
}
