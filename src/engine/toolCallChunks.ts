/**
 * A generation's chunks with tool calls taken out of the text (ToolCallStream.ts): text chunks carry
 * only content, tool-call deltas ride on the chunks, and the last chunk carries the parsed calls. A
 * generation that ends with calls after an end-of-generation token or a stop string finishes with
 * `tool_calls`; one cut by max_tokens keeps `length` (with the calls that completed before the cut).
 */
import type { ToolCallStream } from "./ToolCallStream.js";
import type { GenerateChunk } from "./types.js";

export async function* toolCallChunks(
    chunks: AsyncIterable<GenerateChunk>,
    calls: ToolCallStream,
): AsyncGenerator<GenerateChunk> {
    for await (const chunk of chunks) {
        const out = calls.push(chunk.text);
        if (!chunk.finish) {
            if (chunk.tokens.length === 0 && out.text === "" && out.deltas.length === 0) continue;
            yield {
                tokens: chunk.tokens,
                text: out.text,
                ...(out.deltas.length > 0 && { toolCallDeltas: out.deltas }),
            };
            continue;
        }
        const rest = calls.end();
        const deltas = [...out.deltas, ...rest.deltas];
        const found = calls.calls.length > 0;
        const reason = found && chunk.finish.reason !== "length" ? "tool_calls" : chunk.finish.reason;
        yield {
            tokens: chunk.tokens,
            text: out.text + rest.text,
            ...(deltas.length > 0 && { toolCallDeltas: deltas }),
            finish: { ...chunk.finish, reason, ...(found && { toolCalls: [...calls.calls] }) },
        };
        return;
    }
}
