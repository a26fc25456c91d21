/**
 * Fenced code blocks of a Markdown answer (CommonMark §4.5, the parts models use): an opening fence of
 * three or more backticks or tildes, indented at most three spaces, with an optional info string whose
 * first word is the language; the block ends at a closing fence of the same character at least as long,
 * or at the end of the text (an unclosed block, e.g. an answer cut off by its token cap).
 */

export interface FencedBlock {
    /** The info string's first word, lowercased; "" when untagged. */
    lang: string;
    code: string;
    /** No closing fence: the block ran to the end of the text. */
    unclosed: boolean;
}

const openingFence = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;

export function fencedBlocks(text: string): FencedBlock[] {
    const blocks: FencedBlock[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const open = openingFence.exec(lines[i]!);
        if (!open) continue;
        const fence = open[1]!;
        const closing = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
        const body: string[] = [];
        let j = i + 1;
        while (j < lines.length && !closing.test(lines[j]!)) body.push(lines[j++]!);
        blocks.push({ lang: open[2]!.toLowerCase(), code: body.join("\n"), unclosed: j >= lines.length });
        i = j;
    }
    return blocks;
}
