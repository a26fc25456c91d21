#!/usr/bin/env node
/**
 * The `tiercel` command (package.json `bin`): one entry, a subcommand per job.
 *
 *   tiercel serve [flags]        the gRPC service and the agent gateway (what `npm start` runs)
 *   tiercel gateway [flags]      the agent gateway alone, its local tier on other servers (npm run gateway)
 *   tiercel healthcheck [flags]  gRPC health probe; exit 0 when SERVING (container health checks)
 *   tiercel models [list|verify] the models a config serves: ids, roles, files, sizes; verify checks sha256
 *   tiercel bench [flags]        the bench suite (a source checkout only: it needs the test fixtures)
 *
 * Each subcommand is its own module, loaded on demand, so `tiercel healthcheck` does not load llama.cpp.
 * Exit codes: 0 success, 1 failure, 2 usage or configuration error.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../config/loadConfig.js";

export const usage = `Usage: tiercel <command> [options]

Commands:
  serve         serve the gRPC API, the agent gateway (OpenAI/Anthropic HTTP) and /metrics (npm start)
  gateway       the agent gateway alone, its local tier on tiercel servers elsewhere (npm run gateway)
  healthcheck   probe a server's gRPC health; exit 0 when SERVING
  models        list the configured models (models list) or check their sha256 (models verify)
  bench         run the bench suite (from a source checkout)
  help          show this help

Run \`tiercel <command> --help\` for a command's options.
`;

type Command = (argv: readonly string[]) => Promise<number | undefined>;

/**
 * Runs a module written as a process entry (it reads process.argv and exits on its own) with the
 * subcommand's arguments, so `tiercel serve` and `npm start` are the same code with the same flags.
 */
async function runEntry(module: string, argv: readonly string[]): Promise<undefined> {
    process.argv = [process.argv[0] ?? "node", module, ...argv];
    if (module.endsWith(".ts")) {
        // A source checkout: load through tsx's scoped loader (works with or without `--import tsx`).
        const { tsImport } = await import("tsx/esm/api");
        await tsImport(pathToFileURL(module).href, import.meta.url);
    } else {
        await import(pathToFileURL(module).href);
    }
    return undefined;
}

/** The sibling of this file's module for `name` (`.js` when built, `.ts` from the source tree). */
function sibling(name: string): string {
    const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
    return resolve(import.meta.dirname, "..", name + extension);
}

const commands: Record<string, Command> = {
    serve: (argv) => runEntry(sibling("main"), argv),
    gateway: (argv) => runEntry(sibling("gatewayMain"), argv),
    healthcheck: async (argv) => {
        const { runHealthCheck } = await import("../healthcheck.js");
        return runHealthCheck(argv);
    },
    models: async (argv) => {
        const { runModelsCommand } = await import("./modelsCommand.js");
        return runModelsCommand(argv);
    },
    bench: (argv) => {
        const bench = resolve(projectRoot, "bench/index.ts");
        if (!existsSync(bench)) {
            process.stderr.write(
                "tiercel bench runs from a source checkout (it uses the test fixtures and bench prompts, which the " +
                    "package does not ship): clone the repository, `npm ci`, then `npm run bench`.\n",
            );
            return Promise.resolve(2);
        }
        return runEntry(bench, argv);
    },
};

export async function runCli(argv: readonly string[]): Promise<number | undefined> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
        process.stdout.write(usage);
        return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (command === undefined) {
        process.stderr.write(`tiercel: unknown command "${name}"\n\n${usage}`);
        return 2;
    }
    return command(rest);
}

runCli(process.argv.slice(2)).then(
    (code) => {
        // undefined: the command runs on (a server) and exits by itself.
        if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`tiercel: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    },
);
