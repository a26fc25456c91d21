/**
 * The largest prompt, in UTF-8 bytes, that can fit the target's context, known without tokenizing it.
 *
 * No token stands for more text than the vocabulary's longest token, `longestTokenBytes`, so a text of
 * `b` bytes tokenizes into at least ceil(b / longestTokenBytes) tokens (special tokens, BOS and a chat
 * template only add to that). A prompt must leave room for one generated token: at most contextSize - 1
 * tokens. So a text over (contextSize - 1) × longestTokenBytes bytes cannot fit, and is refused before
 * the tokenizer, which runs synchronously on the event loop, spends any time on it (a 4 MB prompt took
 * seconds and stalled every other call). The bound is loose for ordinary text (few tokens are that
 * long), so a text under it can still be refused after tokenizing, by its token count.
 *
 * Text under the bound is still tokenized on the event loop, in one call: at most (contextSize - 1) ×
 * longestTokenBytes bytes (164 kB for the bundled pair, ~0.5 s on a busy 2-core Xeon). Not chunked, because
 * a cut changes the tokens (BPE merges across it, and an SPM tokenizer adds a leading space per call), and
 * the tokens must equal the single-pass ones that prefix reuse compares. Not in a worker: node-llama-cpp in
 * a worker thread needs its own vocab-only model load (~6 s measured) and aborted the process when that
 * worker was terminated.
 */
import { ErrorCode } from "../errors/codes.js";
import { contextOverflowDetails } from "../errors/contextOverflow.js";
import { ServiceError } from "../errors/ServiceError.js";

export function promptByteLimit(contextSize: number, longestTokenBytes: number): number {
    return Math.max(0, contextSize - 1) * Math.max(1, longestTokenBytes);
}

/** Byte length of the longest token's text (special tokens as written in a prompt), over ids [0, size). */
export function longestTokenBytes(vocabSize: number, tokenText: (id: number) => string): number {
    let longest = 1;
    for (let id = 0; id < vocabSize; id++) longest = Math.max(longest, Buffer.byteLength(tokenText(id)));
    return longest;
}

/**
 * Throws E_CONTEXT_OVERFLOW when `texts` (a prompt, or a chat's message contents) total more than `limit`
 * bytes. `what` names the input in the message ("prompt", "text", "messages").
 */
export function checkPromptBytes(
    texts: readonly string[],
    limit: number,
    contextSize: number,
    what: string,
): void {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count bytes only when the length alone does not decide.
    let units = 0;
    for (const text of texts) units += text.length;
    if (units * 3 <= limit) return;
    let bytes = 0;
    for (const text of texts) bytes += Buffer.byteLength(text);
    if (bytes <= limit) return;
    const longest = limit / Math.max(1, contextSize - 1);
    throw new ServiceError(
        ErrorCode.ContextOverflow,
        `${what} is ${bytes} bytes, more than the ${limit} bytes that can fit the target's context of ${contextSize} tokens (no token is longer than ${longest} bytes); shorten it, or send it in parts, or raise engine.contextSize`,
        // At least this many tokens (no token is longer than `longest` bytes): more than the context holds.
        { details: contextOverflowDetails(Math.ceil(bytes / Math.max(1, longest)), contextSize) },
    );
}
