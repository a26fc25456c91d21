/**
 * Turns the committed GGUF pair back into training checkpoints (F32 safetensors with the GGUF tensor
 * names, plus a log.json), so training can continue in a later session without the gitignored
 * checkpoints of the run that made them:
 *
 *   node --import tsx models/build/ggufToCheckpoint.ts --out models/.cache/from-gguf
 *   /usr/bin/python3 models/build/train/train.py --resume models/.cache/from-gguf --out models/.cache/train3 ...
 *
 * The weights come back dequantized from Q8_0 (about 0.4 % relative error per weight), which continued
 * training absorbs; optimizer state is not kept (train.py warms the learning rate up again on resume).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { bundledModel, bundledModelPath } from "../../test/helpers/bundledModels.js";
import { readTensor } from "./widenTarget.js";

function writeSafetensors(
    path: string,
    tensors: { name: string; shape: number[]; data: Float32Array }[],
): void {
    let offset = 0;
    const header: Record<string, unknown> = {};
    for (const t of tensors) {
        header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
        offset += t.data.byteLength;
    }
    let json = Buffer.from(JSON.stringify(header));
    json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(
        path,
        Buffer.concat([
            length,
            json,
            ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
        ]),
    );
}

async function main(): Promise<void> {
    const i = process.argv.indexOf("--out");
    const out = resolve(i > 0 ? process.argv[i + 1]! : "models/.cache/from-gguf");
    mkdirSync(out, { recursive: true });
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, "../manifest.json"), "utf8")) as {
        models: {
            role: string;
            dim: number;
            layers: number;
            heads: number;
            ffn: number;
            trainedTokens: number;
            trainingSeconds: number;
            heldoutLossNatsPerToken: number;
        }[];
    };
    const log: Record<string, unknown> = { args: { resume: null } };
    for (const role of ["target", "draft"] as const) {
        const path = bundledModelPath(role);
        const info = await readGgufFileInfo(path, { readTensorInfo: true });
        const fd = openSync(path, "r");
        const tensors = (info.tensorInfo ?? []).map((t) => {
            const dims = t.dimensions.map(Number);
            const count = dims.reduce((a, b) => a * b, 1);
            return {
                name: t.name,
                shape: [...dims].reverse(),
                data: readTensor(fd, Number(t.fileOffset), count, t.ggmlType),
            };
        });
        closeSync(fd);
        writeSafetensors(join(out, `${role}.safetensors`), tensors);
        const entry = manifest.models.find((m) => m.role === role)!;
        log[role] = { dim: entry.dim, layers: entry.layers, heads: entry.heads, ffn: entry.ffn };
        console.log(
            `${bundledModel(role).id}: ${tensors.length} tensors → ${join(out, `${role}.safetensors`)}`,
        );
    }
    const target = manifest.models.find((m) => m.role === "target")!;
    const draft = manifest.models.find((m) => m.role === "draft")!;
    log.checkpoints = [
        {
            tag: "from-gguf",
            tokens: target.trainedTokens,
            seconds: target.trainingSeconds,
            // The pair's counts differ (the draft trained longer); exportModels.ts reads these for the draft.
            draft_tokens: draft.trainedTokens,
            draft_seconds: draft.trainingSeconds,
            target_loss: target.heldoutLossNatsPerToken,
            draft_loss: draft.heldoutLossNatsPerToken,
        },
    ];
    writeFileSync(join(out, "log.json"), JSON.stringify(log, null, 1));
}

await main();
