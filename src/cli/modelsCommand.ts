/**
 * `tiercel models`: what a config would serve, without loading llama.cpp.
 *   list    each configured model: role, id, file, size (no hashing: fast)
 *   verify  resolves the models as the server does (sha256 against the manifest or config, tokenizer
 *           compatibility of every draft with the target) and prints the verdicts; exit 1 on a failure
 * A `gateway.router` section with a `classifier` adds the routing classifier's row: its json read (list),
 * or also its ONNX model and word vectors checked against their sha256 as the router does at start (verify).
 */
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/loadConfig.js";
import { resolveModels } from "../engine/loadModels.js";
import { ErrorCode } from "../errors/codes.js";
import { isServiceError } from "../errors/ServiceError.js";
import { parseRouterConfig } from "../router/config.js";
import {
    classifierMetadataPath,
    parseClassifierMetadata,
    readClassifierMetadata,
} from "../router/learned/classifierMetadata.js";
import type { Config } from "../config/schema.js";

export const modelsUsage = `Usage: tiercel models <list|verify> [--config <path>]

  list     the target and drafts the config serves, with their files and sizes
  verify   check each file's sha256 and every draft's tokenizer against the target (as \`serve\` does),
           and the gateway router's classifier files when the config has one
  --config <path>   JSON config file (env TIERCEL_CONFIG; default: the bundled models)

The bundled pair is rebuilt from a source checkout with \`npm run models:build\`.
`;

/** The routing classifier's row (role, id, file, note) when `gateway.router` has a `classifier` section. */
function classifierRow(config: Config, verify: boolean): string[] | undefined {
    if (config.gateway.router === undefined) return undefined;
    const section = parseRouterConfig(config.gateway.router, "gateway.router").classifier;
    if (section === undefined) return undefined;
    const json = classifierMetadataPath(section.model);
    const metadata = verify ? readClassifierMetadata(json) : parseClassifierMetadata(json);
    return [
        "router",
        "classifier",
        section.model,
        `${metadata.featureSchemaVersion}, ${metadata.tiers.join(" < ")}`,
    ];
}

function sizeOf(path: string): string {
    const bytes = statSync(path, { throwIfNoEntry: false })?.size;
    return bytes === undefined ? "missing" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export async function runModelsCommand(argv: readonly string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: { config: { type: "string" }, help: { type: "boolean", short: "h" } },
            allowPositionals: true,
        });
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n\n${modelsUsage}`);
        return 2;
    }
    const [action = "list", ...extra] = parsed.positionals;
    if (parsed.values.help === true) {
        process.stdout.write(modelsUsage);
        return 0;
    }
    if ((action !== "list" && action !== "verify") || extra.length > 0) {
        process.stderr.write(
            `tiercel models: unknown action "${[action, ...extra].join(" ")}"\n\n${modelsUsage}`,
        );
        return 2;
    }
    try {
        const { config, baseDir } = loadConfig(parsed.values.config ?? process.env.TIERCEL_CONFIG);
        const models = await resolveModels(config, baseDir, { verifyHashes: action === "verify" });
        const rows = [
            ["target", models.target.id, models.target.path, ""],
            ...models.drafts.map((d) => ["draft", d.id, d.path, `${d.compatibility.verdict}, ${d.mode}`]),
            ...models.refused.map((d) => ["refused", d.id, d.path, d.compatibility.verdict]),
        ];
        const classifier = classifierRow(config, action === "verify");
        if (classifier !== undefined) rows.push(classifier);
        for (const [role, id, path, note] of rows) {
            const detail = note === "" ? "" : `  (${note})`;
            process.stdout.write(
                `${role!.padEnd(8)}${id!.padEnd(28)}${sizeOf(path!).padStart(10)}  ${path!}${detail}\n`,
            );
        }
        if (action === "verify") {
            const what = classifier === undefined ? "" : " (and the routing classifier's files)";
            process.stdout.write(`verified: sha256 and tokenizer compatibility${what}\n`);
        }
        return models.refused.length > 0 && action === "verify" ? 1 : 0;
    } catch (error) {
        if (!isServiceError(error)) throw error;
        process.stderr.write(`tiercel models: ${error.message}\n`);
        return error.code === ErrorCode.ConfigInvalid ? 2 : 1;
    }
}
