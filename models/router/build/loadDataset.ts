/** Reads a data set split (gzipped JSON lines of DatasetItem) and turns it into feature rows and label indexes. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { featureVector } from "../../../src/router/learned/featureVector.js";
import type { WordVectors } from "../../../src/router/learned/WordVectors.js";
import { datasetDir, tierNames, type DatasetItem } from "./buildDataset.js";

export function loadDataset(split: "train" | "heldout", dir = datasetDir): DatasetItem[] {
    return gunzipSync(readFileSync(join(dir, `${split}.jsonl.gz`)))
        .toString("utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as DatasetItem);
}

export function featurize(
    items: readonly DatasetItem[],
    vectors: WordVectors,
): { rows: Float32Array[]; labels: number[] } {
    return {
        rows: items.map((item) => featureVector(item.request, vectors)),
        labels: items.map((item) => tierNames.indexOf(item.label)),
    };
}
