/**
 * `npm run models:router`: data set → hyperparameters by cross-validation → training → threshold
 * calibration → ONNX export. Writes models/router/dataset/{train,heldout}.jsonl,
 * models/router/classifier.onnx and models/router/classifier.json. Deterministic end to end.
 *
 *   npm run models:router                       # the label mix shifted up until out-of-fold under-routing ≤ 3 %
 *   npm run models:router -- --max-under 0.05   # another under-routing bound
 *   npm run models:router -- --max-under off    # target mix = the training set's label mix
 *   npm run models:router -- --mix 0.5,0.3,0.2  # RouteLLM-style: choose the tier shares
 *
 * The held-out split is never used for any choice here: hyperparameters come from k-fold
 * cross-validation on the training split, thresholds from the training split's scores. Its metrics
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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import prettier from "prettier";
import { calibrateThresholds } from "../../../src/router/learned/calibrateThresholds.js";
import { classifierFormat, type ClassifierMetadata } from "../../../src/router/learned/classifierMetadata.js";
import { featureNames, featureSchemaVersion } from "../../../src/router/learned/featureVector.js";
import { tierIndexForScore, tierScore } from "../../../src/router/learned/tierScore.js";
import { buildDataset, datasetDir, tierNames, writeDataset } from "./buildDataset.js";
import { exportOnnx, onnxInputName, onnxOutputName } from "./exportOnnx.js";
import { groupFolds } from "./groupFolds.js";
import { featurize, loadDataset } from "./loadDataset.js";
import { forwardMlp } from "./mlp.js";
import { routingMetrics, type RoutingMetrics } from "./routingMetrics.js";
import { train, type TrainOptions } from "./train.js";

export const routerModelDir = join(datasetDir, "..");

/** Candidates compared by cross-validation (small: the whole build stays around a minute on 2 cores). */
const grid: TrainOptions[] = [
    { hiddenSize: 8, l2: 0.01 },
    { hiddenSize: 8, l2: 0.03 },
    { hiddenSize: 16, l2: 0.03 },
    { hiddenSize: 16, l2: 0.1 },
];
const folds = 4;
const epochs = 800;

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
        const { model } = train(fitRows, fitLabels, { ...options, epochs });
        rows.forEach((row, i) => {
            if (foldOf[i] === f) probabilities[i] = forwardMlp(model, row).probabilities;
        });
    }
    const correct = probabilities.filter((p, i) => argmax(p) === labels[i]).length;
    return { accuracy: correct / rows.length, probabilities };
}

/**
 * The label mix with its cut points moved down by `shift` (cumulative): `shift` of the requests move
 * from the cheapest tier to the top one, and every boundary sends a little more upwards. Under-routing
 * costs quality and over-routing only money, so the default calibration buys the first with the second.
 */
function shiftedMix(mix: readonly number[], shift: number): number[] {
    const out = [...mix];
    out[0] = Math.max(0, out[0]! - shift);
    out[out.length - 1] = out.at(-1)! + (mix[0]! - out[0]);
    return out;
}

const shiftStep = 0.005;

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
    const trainSet = featurize(trainItems);
    const heldoutSet = featurize(heldoutItems);
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

    const { model, lossHistory } = train(trainSet.rows, trainSet.labels, options);
    const trainProbabilities = trainSet.rows.map((row) => forwardMlp(model, row).probabilities);
    const heldoutProbabilities = heldoutSet.rows.map((row) => forwardMlp(model, row).probabilities);

    // Target mix: `--mix`, else the label mix shifted by the smallest step whose calibration keeps
    // out-of-fold under-routing on the training split within `--max-under` (default 3 %; `off`: no
    // shift). The held-out split plays no part either way.
    const maxUnder = parseMaxUnder(values["max-under"]);
    const oofScores = best.probabilities.map(tierScore);
    const oofUnder = (mix: number[]): number =>
        routingMetrics(
            trainSet.labels,
            oofScores.map((sc) => tierIndexForScore(sc, calibrateThresholds(oofScores, mix))),
            tierNames.length,
        ).underRouting;
    let shift = 0;
    if (maxUnder !== undefined) {
        while (shift < labelMix[0]! && oofUnder(shiftedMix(labelMix, shift)) > maxUnder) shift += shiftStep;
    }
    const targetMix =
        values.mix !== undefined ? values.mix.split(",").map(Number) : shiftedMix(labelMix, shift);
    const thresholds = calibrateThresholds(trainProbabilities.map(tierScore), targetMix);
    // The uncertainty band (LearnedClassifier): from the shifted cut points up to the plain label-mix ones,
    // the scores the safe calibration sends up only to hold under-routing; there the router may cascade.
    const cascadeThresholds =
        values.mix === undefined && shift > 0
            ? calibrateThresholds(trainProbabilities.map(tierScore), labelMix).map((c, k) =>
                  Math.max(c, thresholds[k]!),
              )
            : undefined;
    // Out of fold: how many decisions the band makes cascades, and under-routing counted at their first
    // tier (as if no escalation caught a too-low one: the cascade's signals cannot be simulated here).
    const oofFirstTier = (mix: number[], plainMix: readonly number[]): number[] => {
        const cut = calibrateThresholds(oofScores, mix);
        const edge = calibrateThresholds(oofScores, plainMix).map((c, k) => Math.max(c, cut[k]!));
        return oofScores.map((sc) => {
            const tier = tierIndexForScore(sc, cut);
            return tier > 0 && sc < edge[tier - 1]! ? tier - 1 : tier;
        });
    };
    const oofCascade =
        cascadeThresholds === undefined
            ? undefined
            : (() => {
                  const first = oofFirstTier(targetMix, labelMix);
                  const plain = oofScores.map((sc) =>
                      tierIndexForScore(sc, calibrateThresholds(oofScores, targetMix)),
                  );
                  return {
                      outOfFoldCascadeShare: first.filter((t, i) => t !== plain[i]).length / first.length,
                      outOfFoldUnderRoutingFirstTier: routingMetrics(trainSet.labels, first, tierNames.length)
                          .underRouting,
                  };
              })();
    // Out of family at the chosen calibration (thresholds at the target mix on the out-of-fold scores),
    // and the same for folds by row: what the model does on wording it never saw against new items of
    // known templates.
    const outOfFoldMetrics = (scores: readonly number[]): RoutingMetrics => {
        const cut = calibrateThresholds(scores, targetMix);
        return routingMetrics(
            trainSet.labels,
            scores.map((sc) => tierIndexForScore(sc, cut)),
            tierNames.length,
        );
    };
    const outOfFamily = outOfFoldMetrics(oofScores);
    const byRow = crossValidate(
        trainSet.rows,
        trainSet.labels,
        trainSet.rows.map((_, i) => i % folds),
        best.options,
    );
    const outOfFoldByRow = outOfFoldMetrics(byRow.probabilities.map(tierScore));
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
        calibration: {
            method: "quantile (RouteLLM) on score = expected tier index / (tiers - 1)",
            set: "train",
            labelMix: labelMix.map(round),
            ...(values.mix === undefined &&
                maxUnder !== undefined && {
                    shift: round(shift),
                    shiftRule: `smallest shift of the label mix's cut points with out-of-fold under-routing <= ${maxUnder} on the training split`,
                }),
            folds: `${folds} folds by wording family (groupFolds.ts): out-of-fold = phrasing templates and agent clients the model did not see`,
            outOfFoldUnderRouting: round(oofUnder(targetMix)),
            ...(oofCascade !== undefined && {
                cascadeBand:
                    "score in [thresholds[k], cascadeThresholds[k]): a cascade decision from tier k to k + 1; cascadeThresholds = the label mix's cut points on the training split (at least the thresholds)",
                outOfFoldCascadeShare: round(oofCascade.outOfFoldCascadeShare),
                outOfFoldUnderRoutingFirstTier: round(oofCascade.outOfFoldUnderRoutingFirstTier),
            }),
            targetMix: targetMix.map(round),
            achievedMix: trainMetrics.distribution.map(round),
        },
        training: {
            model: `mlp ${model.inputSize}-${model.hiddenSize}-${model.outputSize} (relu, softmax), standardization folded into layer 1`,
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
