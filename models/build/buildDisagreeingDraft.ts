/**
 * Bench stand-in for a draft that never agrees with the target: a copy of a bundled draft whose output
 * rows are rotated by one token (the logit of token i is the original logit of token i − 1), so its
 * greedy prediction is always the token after the one the original predicts. It costs exactly what the
 * real draft costs per token, which is what makes it the worst case for speculation: full draft and
 * verify cost, nothing accepted. The bench uses it to check that AUTO falls back to plain decoding.
 */
import { ensureRewrittenGguf } from "./gguf/rewriteGguf.js";

export async function ensureDisagreeingDraft(source: string): Promise<string> {
    return ensureRewrittenGguf(source, "draft", "disagreeing", {
        name: "disagreeing-draft",
        requireTensors: ["output.weight"],
        transform: (tensor, data, shape) => {
            if (tensor !== "output.weight") return { data, shape };
            const [rows, cols] = shape as [number, number];
            const next = new Float32Array(data.length);
            next.set(data.subarray(0, (rows - 1) * cols), cols);
            next.set(data.subarray((rows - 1) * cols), 0);
            return { data: next, shape };
        },
    });
}
