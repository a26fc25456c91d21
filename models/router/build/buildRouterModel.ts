/**
 * `npm run models:router`: data set → hyperparameters by cross-validation → training → threshold
 * calibration → ONNX export. Writes models/router/dataset/{train,heldout}.jsonl.gz,
 * models/router/classifier.onnx and models/router/classifier.json. Deterministic end to end.
 *
 *   npm run models:router                       # best agreement with out-of-fold under-routing ≤ 3 %
 *   npm run models:router -- --max-under 0.05   # another under-routing bound
 *   npm run models:router -- --max-under off    # quantiles at the training set's label mix
 *   npm run models:router -- --mix 0.5,0.3,0.2  # RouteLLM-style: choose the tier shares
 *
 * The held-out split is never used for any choice here: hyperparameters come from k-fold
 * cross-validation on the training split, thresholds from the training split's out-of-fold scores. Its metrics
 * are computed at the end and written to classifier.json for the record (bench/eval/routerEval.ts
 * reports them in full).
 *
 * The folds are wording families (groupFolds.ts, buildDataset.ts `family`): a fold's items are scored by
 * a model that saw none of their phrasing templates, or, for agent conversations, none of their client's.
 * Every out-of-fold figure (hyperparameter choice, the calibration's under-routing bound, the band's
 * share) is therefore measured on wording the model was not trained on. The build also prints the same
 * model's figures with folds by row (items of known templates) beside them: the gap is what
 * memorizing a template is worth.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import prettier from "prettier";
import { calibrateThresholds } from "../../../src/router/learned/calibrateThresholds.js";
import { classifierFormat, type ClassifierMetadata } from "../../../src/router/learned/classifierMetadata.js";
import { featureNames, featureSchemaVersion } from "../../../src/router/learned/featureVector.js";
import { tierIndexForScore, tierScore } from "../../../src/router/learned/tierScore.js";
import { WordVectors } from "../../../src/router/learned/WordVectors.js";
import { buildDataset, datasetDir, tierNames, writeDataset } from "./buildDataset.js";
import { exportOnnx, onnxInputName, onnxOutputName } from "./exportOnnx.js";
import { boundedCalibration } from "./boundedCalibration.js";
import { groupFolds } from "./groupFolds.js";
import { featurize, loadDataset } from "./loadDataset.js";
import { forwardMlp } from "./mlp.js";
import { routingMetrics, type RoutingMetrics } from "./routingMetrics.js";
import { type TrainOptions } from "./train.js";
import { trainEnsemble } from "./trainEnsemble.js";
import { wordVectorsFile } from "./wordVectorsFile.js";

export const routerModelDir = join(datasetDir, "..");

/** Candidates compared by cross-validation (few: each costs 4 folds × `members` trainings; the build takes ~19 min on 2 cores). */
const grid: TrainOptions[] = [
    { hiddenSize: 8, l2: 0.01 },
    { hiddenSize: 8, l2: 0.03 },
    { hiddenSize: 16, l2: 0.03 },
    { hiddenSize: 16, l2: 0.1 },
];
const folds = 4;
const epochs = 800;
/**
 * Models per ensemble (trainEnsemble.ts: logits averaged, folded into one MLP). Chosen on the family
 * folds alone: 5 members took out-of-family agreement at the calibration from 70.0 to 72.7 % (hidden 8,
 * L2 0.03; 69.8 → 71.0 % at hidden 16), at 5× the training time.
 */
const members = 5;

const argmax = (p: ArrayLike<number>): number => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    return best;
};

/** Out-of-fold probabilities of every training row (`foldOf[i]`: row i's fold) and their accuracy. */
function crossValidate(
    rows: Float32Array[],
    labels: number[],
    foldOf: readonly number[],
    options: TrainOptions,
): { accuracy: number; probabilities: Float64Array[] } {
    const probabilities = new Array<Float64Array>(rows.length);
    for (let f = 0; f < folds; f++) {
        const fitRows = rows.filter((_, i) => foldOf[i] !== f);
        const fitLabels = labels.filter((_, i) => foldOf[i] !== f);
        const { model } = trainEnsemble(fitRows, fitLabels, { ...options, epochs, members });
        rows.forEach((row, i) => {
            if (foldOf[i] === f) probabilities[i] = forwardMlp(model, row).probabilities;
        });
    }
    const correct = probabilities.filter((p, i) => argmax(p) === labels[i]).length;
    return { accuracy: correct / rows.length, probabilities };
}

/**
 * Out-of-fold under-routing the default calibration allows: the router's goal on traffic it was not
 * trained on (README "Learned routing"). Sending a hard task to a weak tier costs quality, sending an easy
 * one up only money, so the default buys the first with the second.
 */
const defaultMaxUnder = 0.03;

function parseMaxUnder(value: string | undefined): number | undefined {
    if (value === undefined) return defaultMaxUnder;
    if (value === "off") return undefined;
    const bound = Number(value);
    if (!Number.isFinite(bound) || bound < 0 || bound > 1) {
        throw new RangeError(`--max-under must be a share in [0, 1] or "off" (got "${value}")`);
    }
    return bound;
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { mix: { type: "string" }, "max-under": { type: "string" } } });
    const started = performance.now();

    const items = buildDataset();
    const counts = writeDataset(items);
    console.log(`dataset: ${items.length} items → train ${counts.train}, held-out ${counts.heldout}`);

    const trainItems = loadDataset("train");
    const heldoutItems = loadDataset("heldout");
    // The word-vector table is an input of the build, made once by `npm run models:router:vectors`.
    const vectorsBytes = readFileSync(join(routerModelDir, wordVectorsFile));
    const vectors = WordVectors.parse(vectorsBytes, wordVectorsFile);
    const trainSet = featurize(trainItems, vectors);
    const heldoutSet = featurize(heldoutItems, vectors);
    const labelMix = tierNames.map(
        (_, k) => trainSet.labels.filter((l) => l === k).length / trainSet.labels.length,
    );

    // Folds by wording family (every generated item has one; the category stands in otherwise).
    const familyFolds = groupFolds(
        trainItems.map((item) => item.family ?? item.category),
        folds,
    );
    const cv = grid.map((options) => ({
        options,
        ...crossValidate(trainSet.rows, trainSet.labels, familyFolds, options),
    }));
    for (const c of cv) console.log(`cv ${JSON.stringify(c.options)}: ${(c.accuracy * 100).toFixed(1)}%`);
    const best = cv.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    const options: TrainOptions = { ...best.options, epochs };

    const { model, lossHistory } = trainEnsemble(trainSet.rows, trainSet.labels, { ...options, members });
    const trainProbabilities = trainSet.rows.map((row) => forwardMlp(model, row).probabilities);
    const heldoutProbabilities = heldoutSet.rows.map((row) => forwardMlp(model, row).probabilities);

    // Thresholds, all from the out-of-fold scores (folds by wording family): the scores of requests worded
    // unlike anything the scoring model was trained on, as the final model's scores on new traffic are
    // (its scores on its own training rows are more extreme than any it gives a new phrasing).
    // `--mix`: RouteLLM's quantiles at that mix; else the pair of cut points with the best agreement whose
    // under-routing stays within `--max-under` (default 3 %; `off`: the label mix's quantiles). The
    // held-out split plays no part either way.
    const maxUnder = parseMaxUnder(values["max-under"]);
    const mix = values.mix?.split(",").map(Number);
    const calibrate = (scores: readonly number[]): number[] =>
        mix !== undefined
            ? calibrateThresholds(scores, mix)
            : maxUnder !== undefined
              ? boundedCalibration(scores, trainSet.labels, maxUnder).thresholds
              : calibrateThresholds(scores, labelMix);
    const oofScores = best.probabilities.map(tierScore);
    const thresholds = calibrate(oofScores);
    // The uncertainty band (LearnedClassifier): from the bounded cut points up to the plain label-mix
    // ones, the scores the bound sends up only to hold under-routing; there the router may cascade.
    const plainCut = calibrateThresholds(oofScores, labelMix);
    const cascadeThresholds =
        mix === undefined && maxUnder !== undefined && thresholds.some((t, k) => t < plainCut[k]!)
            ? plainCut.map((c, k) => Math.max(c, thresholds[k]!))
            : undefined;
    const oofDecided = oofScores.map((sc) => tierIndexForScore(sc, thresholds));
    // Out of fold: how many decisions the band makes cascades, and under-routing counted at their first
    // tier (as if no escalation caught a too-low one: the cascade's signals cannot be simulated here).
    const oofCascade =
        cascadeThresholds === undefined
            ? undefined
            : (() => {
                  const first = oofDecided.map((tier, i) =>
                      tier > 0 && oofScores[i]! < cascadeThresholds[tier - 1]! ? tier - 1 : tier,
                  );
                  return {
                      outOfFoldCascadeShare:
                          first.filter((t, i) => t !== oofDecided[i]).length / first.length,
                      outOfFoldUnderRoutingFirstTier: routingMetrics(trainSet.labels, first, tierNames.length)
                          .underRouting,
                  };
              })();
    // Out of family at the calibration, and the same rule on folds by row: what the model does on
    // wording it never saw against new items of known templates.
    const outOfFamily = routingMetrics(trainSet.labels, oofDecided, tierNames.length);
    const byRowScores = crossValidate(
        trainSet.rows,
        trainSet.labels,
        trainSet.rows.map((_, i) => i % folds),
        best.options,
    ).probabilities.map(tierScore);
    const byRowCut = calibrate(byRowScores);
    const outOfFoldByRow = routingMetrics(
        trainSet.labels,
        byRowScores.map((sc) => tierIndexForScore(sc, byRowCut)),
        tierNames.length,
    );
    const decide = (p: Float64Array): number => tierIndexForScore(tierScore(p), thresholds);
    const trainMetrics = routingMetrics(trainSet.labels, trainProbabilities.map(decide), tierNames.length);
    const heldoutMetrics = routingMetrics(
        heldoutSet.labels,
        heldoutProbabilities.map(decide),
        tierNames.length,
    );

    const onnx = exportOnnx(model, { featureSchemaVersion, tiers: tierNames.join(",") });
    const onnxFile = "classifier.onnx";
    writeFileSync(join(routerModelDir, onnxFile), onnx);
    const round = (x: number): number => Math.round(x * 10_000) / 10_000;
    const summary = (m: RoutingMetrics): Record<string, number> => ({
        agreement: round(m.agreement),
        underRouting: round(m.underRouting),
        overRouting: round(m.overRouting),
    });
    const metadata: ClassifierMetadata = {
        format: classifierFormat,
        featureSchemaVersion,
        featureNames: [...featureNames],
        tiers: [...tierNames],
        thresholds,
        ...(cascadeThresholds !== undefined && { cascadeThresholds }),
        onnx: {
            file: onnxFile,
            sha256: createHash("sha256").update(onnx).digest("hex"),
            input: onnxInputName,
            output: onnxOutputName,
        },
        wordVectors: {
            file: wordVectorsFile,
            sha256: createHash("sha256").update(vectorsBytes).digest("hex"),
        },
        calibration: {
            method: "score = expected tier index / (tiers - 1); cut points on out-of-fold scores",
            set: "train, out-of-fold scores (folds by wording family)",
            rule:
                mix !== undefined
                    ? `quantiles at the mix ${mix.join(", ")} (RouteLLM)`
                    : maxUnder !== undefined
                      ? `best out-of-fold agreement with out-of-fold under-routing <= ${maxUnder} over pairs of score quantiles (boundedCalibration.ts)`
                      : "quantiles at the label mix (RouteLLM)",
            folds: `${folds} folds by wording family (groupFolds.ts): out-of-fold = phrasing templates and agent clients the model did not see`,
            labelMix: labelMix.map(round),
            outOfFoldUnderRouting: round(outOfFamily.underRouting),
            outOfFoldMix: outOfFamily.distribution.map(round),
            ...(oofCascade !== undefined && {
                cascadeBand:
                    "score in [thresholds[k], cascadeThresholds[k]): a cascade decision from tier k to k + 1; cascadeThresholds = the label mix's cut points on the out-of-fold scores (at least the thresholds)",
                outOfFoldCascadeShare: round(oofCascade.outOfFoldCascadeShare),
                outOfFoldUnderRoutingFirstTier: round(oofCascade.outOfFoldUnderRoutingFirstTier),
            }),
            trainMix: trainMetrics.distribution.map(round),
        },
        training: {
            model: `mlp ${model.inputSize}-${model.hiddenSize}-${model.outputSize} (relu, softmax): ${members} members of hidden ${options.hiddenSize ?? "default"} with their logits averaged, folded into one layer (trainEnsemble.ts); standardization folded into layer 1`,
            optimizer: "full-batch Adam, cross-entropy + L2",
            options,
            crossValidation: cv.map((c) => ({ ...c.options, folds, accuracy: round(c.accuracy) })),
            outOfFamily: summary(outOfFamily),
            outOfFoldByRow: summary(outOfFoldByRow),
            finalLoss: round(lossHistory.at(-1)!),
            trainItems: trainItems.length,
            heldoutItems: heldoutItems.length,
            trainAgreement: round(trainMetrics.agreement),
            heldoutAgreement: round(heldoutMetrics.agreement),
            heldoutUnderRouting: round(heldoutMetrics.underRouting),
            heldoutOverRouting: round(heldoutMetrics.overRouting),
        },
    };
    const jsonPath = join(routerModelDir, "classifier.json");
    const config = (await prettier.resolveConfig(jsonPath)) ?? {};
    writeFileSync(jsonPath, await prettier.format(JSON.stringify(metadata), { ...config, parser: "json" }));
    const line = (m: RoutingMetrics): string =>
        `agreement ${(m.agreement * 100).toFixed(1)}%, under ${(m.underRouting * 100).toFixed(1)}%, over ${(m.overRouting * 100).toFixed(1)}%`;
    console.log(`out of fold at the calibration, folds by wording family: ${line(outOfFamily)}`);
    console.log(`out of fold at the calibration, folds by row:            ${line(outOfFoldByRow)}`);
    console.log(
        `model: ${JSON.stringify(options)}; thresholds ${thresholds.map((t) => t.toFixed(4)).join(", ")}; ` +
            `train agreement ${(trainMetrics.agreement * 100).toFixed(1)}%, held-out ${(heldoutMetrics.agreement * 100).toFixed(1)}% ` +
            `(under ${(heldoutMetrics.underRouting * 100).toFixed(1)}%, over ${(heldoutMetrics.overRouting * 100).toFixed(1)}%); ` +
            `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
}

await main();
