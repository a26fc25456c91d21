/**
 * Resolves configured models to files (explicit paths or manifest entries), verifies them, and checks
 * every draft's tokenizer against the target's. A missing or altered file fails with the path and
 * the command that rebuilds it; an incompatible draft is refused with its report while the rest load.
 */
import { createHash } from "node:crypto";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ErrorCode } from "../errors/codes.js";
import { ModelError } from "../errors/ServiceError.js";
import type { Config, ModelRef } from "../config/schema.js";
import { projectRoot } from "../config/loadConfig.js";
import { readGgufVocab } from "./readGgufVocab.js";
import { checkTokenizerCompatibility } from "./tokenizerCompat.js";
import type { CompatibilityReport, VocabInfo } from "./vocabTypes.js";

export const rebuildModelsCommand = "npm run models:build";

export interface ManifestEntry {
    id: string;
    role: "target" | "draft";
    file: string;
    sha256: string;
    [key: string]: unknown;
}

export interface ResolvedModel {
    id: string;
    path: string;
    vocab: VocabInfo;
}

/** A resolved model loaded, with its context (one sequence per engine slot). */
export interface LoadedModel {
    resolved: ResolvedModel;
    model: LlamaModel;
    context: LlamaContext;
}

/**
 * How a loaded draft is used: `direct` (its token ids are the target's) or `translated` (through text,
 * for a tokenizer that is incompatible with the target's; see TranslatingDraftProposer).
 */
export type DraftMode = "direct" | "translated";

export interface ResolvedDraft extends ResolvedModel {
    compatibility: CompatibilityReport;
    mode: DraftMode;
}

export interface ResolvedModels {
    target: ResolvedModel;
    drafts: ResolvedDraft[];
    /** Drafts refused at load (incompatible, translation disabled), each with the report that says why. */
    refused: ResolvedDraft[];
}

function readManifest(path: string): ManifestEntry[] {
    if (!existsSync(path)) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `model manifest ${path} not found; run \`${rebuildModelsCommand}\` or set models.manifest`,
        );
    }
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { models?: ManifestEntry[] };
    return parsed.models ?? [];
}

async function sha256Of(path: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest("hex");
}

async function resolveModel(
    ref: ModelRef,
    baseDir: string,
    manifest: () => { dir: string; entries: ManifestEntry[] },
    verifyHashes: boolean,
): Promise<Omit<ResolvedModel, "vocab">> {
    let path: string;
    let expected: string | undefined = ref.sha256;
    if (ref.path !== undefined) {
        path = resolve(baseDir, ref.path);
    } else {
        const { dir, entries } = manifest();
        const entry = entries.find((e) => e.id === ref.id);
        if (!entry) {
            const known = entries.map((e) => e.id).join(", ") || "none";
            throw new ModelError(
                ErrorCode.ModelUnavailable,
                `model "${ref.id}" is not in the manifest (known: ${known}); give it a "path" or fix the id`,
            );
        }
        path = resolve(dir, entry.file);
        expected ??= entry.sha256;
    }
    if (!existsSync(path)) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `model file for "${ref.id}" is missing: ${path}; run \`${rebuildModelsCommand}\` to rebuild the bundled models, or fix the path`,
        );
    }
    if (verifyHashes && expected !== undefined) {
        const actual = await sha256Of(path);
        if (actual !== expected) {
            throw new ModelError(
                ErrorCode.ModelUnavailable,
                `model file for "${ref.id}" was altered: ${path} has sha256 ${actual}, expected ${expected}; run \`${rebuildModelsCommand}\` or restore the file`,
            );
        }
    }
    return { id: ref.id, path };
}

export interface ResolveModelsOptions {
    /** Check each file's sha256 (manifest or config). Defaults to `true`; `tiercel models list` skips it. */
    verifyHashes?: boolean;
}

export async function resolveModels(
    config: Config,
    baseDir: string,
    { verifyHashes = true }: ResolveModelsOptions = {},
): Promise<ResolvedModels> {
    let manifestCache: { dir: string; entries: ManifestEntry[] } | undefined;
    const manifest = () => {
        if (!manifestCache) {
            const path =
                config.models.manifest !== undefined
                    ? resolve(baseDir, config.models.manifest)
                    : resolve(projectRoot, "models/manifest.json");
            manifestCache = { dir: resolve(path, ".."), entries: readManifest(path) };
        }
        return manifestCache;
    };
    const targetRef = await resolveModel(config.models.target, baseDir, manifest, verifyHashes);
    const target: ResolvedModel = { ...targetRef, vocab: await readGgufVocab(targetRef.path) };
    const drafts: ResolvedDraft[] = [];
    const refused: ResolvedDraft[] = [];
    for (const ref of config.models.drafts) {
        if (ref.id === target.id)
            throw new ModelError(
                ErrorCode.ConfigInvalid,
                `draft id "${ref.id}" equals the target's id; give drafts their own ids`,
            );
        const resolved = await resolveModel(ref, baseDir, manifest, verifyHashes);
        const vocab = await readGgufVocab(resolved.path);
        const compatibility = checkTokenizerCompatibility(target.vocab, vocab);
        const incompatible = compatibility.verdict === "incompatible";
        const entry: ResolvedDraft = {
            ...resolved,
            vocab,
            compatibility,
            mode: incompatible ? "translated" : "direct",
        };
        (incompatible && !config.speculation.translateIncompatibleDrafts ? refused : drafts).push(entry);
    }
    return { target, drafts, refused };
}
