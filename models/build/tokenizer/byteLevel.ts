/**
 * Byte-level BPE primitives shared by the trainer and the encoder, chosen to match what
 * llama.cpp does for `tokenizer.ggml.model = "gpt2"` with `tokenizer.ggml.pre = "trillion"` (GPT-2's pattern, no space clean-up on detokenization):
 *  - text is split into pre-tokens by GPT-2's pattern (llama.cpp implements it natively in
 *    `unicode_regex_split_custom_gpt2`; the trailing `|\s+` alternative is what its code does
 *    for whitespace that is followed by a non-space);
 *  - each pre-token's UTF-8 bytes are mapped to printable code points (GPT-2's byte↔unicode
 *    table), so every token text is a valid string and a merge is "left right" with a space.
 */
export const pretokenizePattern =
    /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → code point table: printable bytes map to themselves, the rest to 256+n. */
export const byteToUnicode: readonly string[] = (() => {
    const table: string[] = new Array<string>(256);
    let extra = 0;
    for (let b = 0; b < 256; b++) {
        const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        table[b] = String.fromCodePoint(printable ? b : 256 + extra++);
    }
    return table;
})();

export const unicodeToByte: ReadonlyMap<string, number> = new Map(byteToUnicode.map((s, b) => [s, b]));

const encoder = new TextEncoder();

/** Pre-token → its byte-level symbols (one string per byte). */
export function toByteSymbols(pretoken: string): string[] {
    const bytes = encoder.encode(pretoken);
    const out = new Array<string>(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = byteToUnicode[bytes[i]!]!;
    return out;
}

export function pretokenize(text: string): string[] {
    return text.match(pretokenizePattern) ?? [];
}
