/**
 * classifier.json: what travels with a trained routing classifier (models/router/), validated at load.
 * The ONNX graph holds only weights; this file says which feature layout it reads, which tiers its
 * outputs are, the calibrated thresholds, and the ONNX file's sha256 so a json/onnx pair from two
 * different builds is refused. Written by models/router/build/buildRouterModel.ts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode } from "../../errors/codes.js";
import { ModelError } from "../../errors/ServiceError.js";
import { featureCount, featureSchemaVersion, semanticDimensions } from "./featureVector.js";
import { WordVectors } from "./WordVectors.js";

export const classifierFormat = "tiercel-router-classifier/2";

export const classifierMetadataSchema = z
    .object({
        format: z.literal(classifierFormat),
        /** `featureSchemaVersion` of the featureVector.ts the model was trained with. */
        featureSchemaVersion: z.string(),
        featureNames: z.array(z.string()),
        /** Output classes = tiers, cheapest first. */
        tiers: z.array(z.string().min(1)).min(2),
        /** Calibrated score thresholds (tiers − 1, ascending); see calibrateThresholds.ts. */
        thresholds: z.array(z.number()),
        /**
         * The uncertainty band's upper edges (tiers − 1, each ≥ its threshold): a score in
         * [thresholds[k], cascadeThresholds[k]) is a cascade decision from tier k to k + 1 (LearnedClassifier).
         * Absent: no band, every decision is plain.
         */
        cascadeThresholds: z.array(z.number()).optional(),
        onnx: z.object({
            /** File name of the ONNX model, relative to this json. */
            file: z.string().min(1),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
            input: z.string().min(1),
            output: z.string().min(1),
        }),
        /** The word-vector table the semantic columns were computed with (WordVectors.ts). */
        wordVectors: z.object({
            /** File name, relative to this json. */
            file: z.string().min(1),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
        }),
        /** How the thresholds were set (target mix, calibration set). */
        calibration: z.record(z.string(), z.unknown()),
        /** Training options and metrics, for the record. */
        training: z.record(z.string(), z.unknown()),
    })
    .refine((m) => m.thresholds.length === m.tiers.length - 1, {
        message: "thresholds must number tiers − 1",
    })
    .refine((m) => m.thresholds.every((t, i) => i === 0 || t >= m.thresholds[i - 1]!), {
        message: "thresholds must be ascending",
    })
    .refine(
        (m) =>
            m.cascadeThresholds === undefined ||
            (m.cascadeThresholds.length === m.thresholds.length &&
                m.cascadeThresholds.every((c, i) => c >= m.thresholds[i]!)),
        { message: "cascadeThresholds must number tiers − 1, each at or above its threshold" },
    );

export type ClassifierMetadata = z.infer<typeof classifierMetadataSchema>;

export interface LoadedClassifierMetadata extends ClassifierMetadata {
    /** Absolute path of the ONNX model. */
    onnxPath: string;
    /** The word-vector table, read and checked against its sha256. */
    vectors: WordVectors;
}

/** The metadata file of an ONNX model: `<name>.json` beside `<name>.onnx`. */
export const classifierMetadataPath = (model: string): string => model.replace(/\.onnx$/, "") + ".json";

/** A file beside the metadata, read and checked against the sha256 the metadata gives it. */
function readPinned(
    metadataPath: string,
    file: string,
    sha256: string,
    what: string,
): { path: string; bytes: Buffer } {
    const path = resolve(dirname(metadataPath), file);
    let bytes: Buffer;
    try {
        bytes = readFileSync(path);
    } catch (cause) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `cannot read the routing classifier's ${what} ${path}`,
            {
                cause,
            },
        );
    }
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== sha256) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `${path} (sha256 ${actual.slice(0, 12)}…) is not the ${what} ${metadataPath} describes (${sha256.slice(0, 12)}…); rebuild both with \`npm run models:router\``,
        );
    }
    return { path, bytes };
}

/**
 * Reads and checks `<model>.json` (the metadata beside an ONNX model): its format, that it was built for
 * this tiercel's feature schema, and that the ONNX file's and the word-vector table's sha256 match. Throws ModelError
 * (E_MODEL_UNAVAILABLE) saying how to fix each failure.
 */
export function readClassifierMetadata(metadataPath: string): LoadedClassifierMetadata {
    const metadata = parseClassifierMetadata(metadataPath);
    const onnx = readPinned(metadataPath, metadata.onnx.file, metadata.onnx.sha256, "ONNX model");
    const table = readPinned(
        metadataPath,
        metadata.wordVectors.file,
        metadata.wordVectors.sha256,
        "word-vector table",
    );
    const vectors = WordVectors.parse(table.bytes, table.path);
    if (vectors.dimensions !== semanticDimensions) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `${table.path} has ${vectors.dimensions}-dimensional vectors; the routing features take ${semanticDimensions}`,
        );
    }
    return { ...metadata, onnxPath: onnx.path, vectors };
}

/**
 * `<model>.json` alone, read and checked as `readClassifierMetadata` does (format, feature schema) without
 * reading the files it names: for what the json itself says (the tiers) before a classifier is built.
 */
export function parseClassifierMetadata(metadataPath: string): ClassifierMetadata {
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(metadataPath, "utf8"));
    } catch (cause) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `cannot read the routing classifier's metadata ${metadataPath}`,
            { cause },
        );
    }
    const result = classifierMetadataSchema.safeParse(parsed);
    if (!result.success) {
        const issues = result.error.issues
            .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
            .join("; ");
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `${metadataPath} is not a tiercel routing classifier (${issues}); rebuild it with \`npm run models:router\``,
        );
    }
    const metadata = result.data;
    if (
        metadata.featureSchemaVersion !== featureSchemaVersion ||
        metadata.featureNames.length !== featureCount
    ) {
        throw new ModelError(
            ErrorCode.ModelUnavailable,
            `routing classifier ${metadataPath} was trained on feature schema "${metadata.featureSchemaVersion}" (${metadata.featureNames.length} features), but this tiercel computes "${featureSchemaVersion}" (${featureCount} features); retrain it with \`npm run models:router\``,
        );
    }
    return metadata;
}
