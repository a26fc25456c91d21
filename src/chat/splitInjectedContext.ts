/**
 * A user turn's text split into the human's words and the context a coding agent injected into the same
 * turn: Claude Code puts `<system-reminder>` blocks (CLAUDE.md, the todo list, notices of files changed on
 * disk with their contents) into user turns beside the human's text and beside tool results. What reads
 * a turn for its meaning (the routing rules' `keywords`, the classifier's instruction, the near-duplicate
 * cache's similarity) reads the human part; the injected part is context, which must still be identical
 * for two requests to share an answer (cacheKey.ts folds it into the context key).
 *
 * Pure; a text without the marker is returned as is, without a regex pass.
 */
const reminderPattern = /<system-reminder>[\s\S]*?(?:<\/system-reminder>|$)/g;
const marker = "<system-reminder>";

export interface SplitText {
    /** The text without injected blocks, trimmed when any was removed. */
    human: string;
    /** The injected blocks, in order, joined by a newline ("" when none). */
    injected: string;
}

export function splitInjectedContext(text: string): SplitText {
    if (!text.includes(marker)) return { human: text, injected: "" };
    const blocks: string[] = [];
    const human = text
        .replace(reminderPattern, (block) => {
            blocks.push(block);
            return "";
        })
        .trim();
    return { human, injected: blocks.join("\n") };
}

/** The human's words of a user turn's text (see the module comment). */
export function humanText(text: string): string {
    return text.includes(marker) ? splitInjectedContext(text).human : text;
}
