/**
 * Request → the fixed-length numeric vector the learned routing classifier reads (models/router/).
 * Pure and cheap: it runs on the main thread before the worker hop, inside the classifier's decision
 * budget (p99 < 1 ms with the hop; bench/eval/routerEval.ts measures it).
 *
 * Layout (`featureNames` is the source of truth; index = position in that list). Counts are log1p-scaled
 * so a 40 kB paste does not dwarf everything else; cue groups are match counts clipped at 3.
 *
 *   size and shape       log_context_tokens, log_system_chars, log_messages, log_prompt_chars,
 *                        log_prose_words, log_code_lines, code_share, log_code_blocks, log_file_refs,
 *                        log_max_tokens, question, stack_trace
 *   tools                has_tools, log_tools, log_tool_results, tool_error_streak (clipped at 5)
 *   agent loop           log_tool_calls, log_user_turns, log_tool_errors, marked_error_streak (clipped at
 *                        5), log_touched_files, instruction_from_history, has_diff
 *   language cues        lang_ts_js, lang_python, lang_go, lang_rust, lang_jvm, lang_c_cpp, lang_sql, lang_shell
 *   task cues            cue_<group> for every group of `taskCueGroups` (keywords in the instruction)
 *   hints                has_task_type, task_<type> for `hintTaskTypes`, tag_security, tag_architecture,
 *                        log_tags, has_latency_budget, tight_latency_budget (≤ 1 s)
 *   semantics            sem_00 … sem_99: the mean word vector (WordVectors.ts) of the scanned instruction's
 *                        prose (fenced code left out), zeros when none of its words is in the table
 *
 * Text is scanned only in the instruction, and of it only the first and last `scanChars` characters:
 * the request's words live there, pasted code in between; the scan stays O(1) in the prompt's size, the
 * code-fence count is one indexOf walk. The instruction is the last user turn's text; when that turn
 * carries only tool results (an agent loop going on), it is the latest earlier user text (the task the
 * agent works on). `<system-reminder>` blocks (Claude Code's injected context) are left out of it.
 *
 * Agent loops (agentLoop.ts): a tool result counts as failed when it is flagged `is_error` or its text
 * carries an error marker (Codex CLI's outputs have no flag); `marked_error_streak` is the failed results
 * in a row at the end of the conversation by that test; `tool_error_streak` counts the flag alone (as the
 * rules did when the committed model was trained; the rules now use the marker test too);
 * `log_touched_files` counts distinct paths the assistant's tool calls named.
 *
 * Any change to the layout, a cue list or a scaling is a new `featureSchemaVersion`: a model trained on
 * another version is refused at load (LearnedClassifier) instead of silently reading shifted columns.
 */
import { extractFeatures, type RequestFeatures } from "../features.js";
import { textOf, toolErrorStreak } from "../../chat/messages.js";
import { humanText } from "../../chat/splitInjectedContext.js";
import { toolResultFlagged } from "../../chat/toolResultFailed.js";
import { agentLoop } from "./agentLoop.js";
import { taskCueGroups } from "./taskCueGroups.js";
import type { WordVectors } from "./WordVectors.js";
import type { ChatRequest } from "../../chat/types.js";

export { taskCueGroups };

/** Bumped on any change to the layout or meaning of a column; stored with every trained model. */
export const featureSchemaVersion = "tiercel-router-features/3";

/** Width of the semantic columns: the word-vector table's dimensions (checked where a table is loaded). */
export const semanticDimensions = 100;

/** `hints.task_type` values with a column of their own (others only set `has_task_type`). */
export const hintTaskTypes = ["completion", "chat", "edit", "plan", "review", "commit_message"] as const;

/** Characters scanned at each end of the instruction (see the module comment). */
export const scanChars = 3_000;

/**
 * Language cues: a column is 1 when any of its alternatives matches the scanned window. Each alternative
 * is one regex and the literal substrings every match of it contains (`all`): `includes` on them is
 * several times cheaper than the regex, which then runs only where it can match (the same verdicts,
 * sooner; a regex starting at `\b` gets no literal-prefix search from V8 and tries every position).
 */
const languageCues = {
    lang_ts_js: [
        {
            all: [],
            pattern:
                /```(?:ts|tsx|typescript|js|jsx|javascript)\b|\b(?:const|let) \w+ = |=> \{|\binterface \w+ \{|\bexport (?:function|const|class)\b/,
        },
    ],
    lang_python: [
        { all: ["```py"], pattern: /```(?:py|python)\b/ },
        { all: ["def "], pattern: /\bdef \w+\(/ },
        { all: ["import numpy"], pattern: /\bimport numpy\b/ },
        { all: ["self."], pattern: /\bself\.\w/ },
        { all: ["elif"], pattern: /\belif\b/ },
        { all: ["from ", " import"], pattern: /^\s*from [\w.]+ import\b/m },
    ],
    lang_go: [
        { all: ["```go"], pattern: /```go\b/ },
        { all: ["func "], pattern: /\bfunc (?:\(\w+ \*?\w+\) )?\w+\(/ },
        { all: ["package main"], pattern: /\bpackage main\b/ },
        { all: [":= "], pattern: /:= / },
    ],
    lang_rust: [
        { all: ["```r"], pattern: /```(?:rs|rust)\b/ },
        { all: ["fn "], pattern: /\bfn \w+\(/ },
        { all: ["let mut"], pattern: /\blet mut\b/ },
        { all: ["impl"], pattern: /\bimpl\b/ },
        { all: ["&mut"], pattern: /&mut\b/ },
        { all: ["Option<"], pattern: /\bOption</ },
        { all: ["Result<"], pattern: /\bResult</ },
    ],
    lang_jvm: [
        { all: ["```"], pattern: /```(?:java|kotlin|kt|scala)\b/ },
        { all: ["public "], pattern: /\bpublic (?:static )?(?:class|void)\b/ },
        { all: ["fun "], pattern: /\bfun \w+\(/ },
        { all: ["@Override"], pattern: /@Override\b/ },
    ],
    lang_c_cpp: [
        { all: ["```"], pattern: /```(?:c|cpp|c\+\+|h)\b/ },
        { all: ["#include"], pattern: /#include\s*</ },
        { all: ["std::"], pattern: /\bstd::/ },
        { all: ["malloc("], pattern: /\bmalloc\(/ },
        { all: ["printf("], pattern: /\bprintf\(/ },
    ],
    lang_sql: [
        { all: ["```sql"], pattern: /```sql\b/ },
        { all: ["SELECT", "FROM"], pattern: /\bSELECT\b[\s\S]{0,200}\bFROM\b/ },
        { all: ["ALTER TABLE"], pattern: /\bALTER TABLE\b/ },
        { all: ["CREATE TABLE"], pattern: /\bCREATE TABLE\b/ },
    ],
    lang_shell: [
        { all: ["```"], pattern: /```(?:sh|bash|zsh|shell)\b/ },
        { all: ["#!/bin/"], pattern: /^#!\/bin\/(?:ba)?sh/m },
        { all: ["$ "], pattern: /\$ (?:npm|git|docker|kubectl|cargo|pip)\b/ },
    ],
} satisfies Record<string, readonly { all: readonly string[]; pattern: RegExp }[]>;

/** Whether any alternative of a language cue matches `text`. */
function languageCue(
    alternatives: readonly { all: readonly string[]; pattern: RegExp }[],
    text: string,
): boolean {
    return alternatives.some((a) => a.all.every((needle) => text.includes(needle)) && a.pattern.test(text));
}

/** A file reference without a directory: its name and a known extension. */
const fileNameSource =
    "\\b[\\w-]+\\.(?:tsx?|jsx?|mjs|py|go|rs|java|kt|c|h|cpp|hpp|sql|sh|ya?ml|json|toml|rb|php|cs|swift)\\b";
/** A path (`src/a.ts`, any extension) or a file name. */
const fileRefPattern = new RegExp(`(?:[\\w.-]+\\/)+[\\w.-]+\\.\\w{1,5}\\b|${fileNameSource}`, "g");
/** `fileRefPattern` on a text without `/`, where its path alternative cannot match (and would backtrack). */
const fileNamePattern = new RegExp(fileNameSource, "g");

/**
 * Stack traces and error lines. `(?:Error|Exception): ` stands for `\b\w*(?:Error|Exception): `: a text
 * has a match of one exactly when it has one of the other (the word before "Error" always starts at a
 * `\b`), and without the leading `\w*` the regex does not backtrack at every word of pasted code.
 */
const stackTracePattern =
    /Traceback \(most recent call last\)|\n\s+at [\w.<>$]+ \(|(?:Error|Exception): |panicked at|segmentation fault/i;

const diffPattern = /^diff --git |^@@ -\d+(?:,\d+)? \+\d+|^\*\*\* Begin Patch/m;

type CueGroup = keyof typeof taskCueGroups;
const cueGroupNames = Object.keys(taskCueGroups) as CueGroup[];

/** Every column's name, in order: the feature layout. */
export const featureNames: readonly string[] = [
    "log_context_tokens",
    "log_system_chars",
    "log_messages",
    "log_prompt_chars",
    "log_prose_words",
    "log_code_lines",
    "code_share",
    "log_code_blocks",
    "log_file_refs",
    "log_max_tokens",
    "question",
    "stack_trace",
    "has_tools",
    "log_tools",
    "log_tool_results",
    "tool_error_streak",
    "log_tool_calls",
    "log_user_turns",
    "log_tool_errors",
    "marked_error_streak",
    "log_touched_files",
    "instruction_from_history",
    "has_diff",
    ...Object.keys(languageCues),
    ...cueGroupNames.map((g) => `cue_${g}`),
    "has_task_type",
    ...hintTaskTypes.map((t) => `task_${t}`),
    "tag_security",
    "tag_architecture",
    "log_tags",
    "has_latency_budget",
    "tight_latency_budget",
    ...Array.from({ length: semanticDimensions }, (_, d) => `sem_${String(d).padStart(2, "0")}`),
];

/** Length of every vector `featureVector` returns. */
export const featureCount = featureNames.length;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * One regex for all cue groups: one capture group per group, so a single pass counts every group. A
 * stem after `/` or `.` is a path segment or a member (`src/auth/`, `.lock`), not a word of the request.
 */
const cuePattern = new RegExp(
    `(?<![\\p{L}\\p{N}_/.])(?:${cueGroupNames
        .map((g) => `(${taskCueGroups[g].map((k) => escapeRegExp(k).replace(/\s+/g, "\\s+")).join("|")})`)
        .join("|")})\\p{L}*`,
    "giu",
);
const languageEntries = Object.values(languageCues);

/** Whether a character code is one a file reference is made of (`\w`, `.`, `-`, `/`). */
function isPathChar(c: number): boolean {
    return (
        (c >= 97 && c <= 122) ||
        (c >= 65 && c <= 90) ||
        (c >= 48 && c <= 57) ||
        c === 95 ||
        c === 46 ||
        c === 45 ||
        c === 47
    );
}

/**
 * The distinct matches of `fileRefPattern` in `text`. Every match lies inside one run of path characters
 * and contains a `.`, and a run's edges are `\b` edges in the text as in the run alone, so matching each
 * run around a dot gives the same matches as matching the whole text, without trying the regex (and its
 * backtracking over every word) where no reference can be.
 */
function fileRefsOf(text: string): Set<string> {
    const refs = new Set<string>();
    for (let dot = text.indexOf("."); dot !== -1;) {
        let start = dot;
        while (start > 0 && isPathChar(text.charCodeAt(start - 1))) start--;
        let end = dot + 1;
        while (end < text.length && isPathChar(text.charCodeAt(end))) end++;
        const run = text.slice(start, end);
        const matches = run.match(run.includes("/") ? fileRefPattern : fileNamePattern);
        if (matches) for (const m of matches) refs.add(m);
        dot = text.indexOf(".", end);
    }
    return refs;
}
const firstCueColumn = featureNames.indexOf(`cue_${cueGroupNames[0]!}`);
const firstLanguageColumn = featureNames.indexOf("lang_ts_js");
const firstTaskColumn = featureNames.indexOf("has_task_type");
const firstSemanticColumn = featureNames.indexOf("sem_00");
const maxCueCount = 3;
const maxToolErrorStreak = 5;
const tightLatencyBudgetMs = 1_000;

/** The instruction's head and tail (the whole text when it is short). */
function scanWindow(text: string): string {
    return text.length <= 2 * scanChars ? text : `${text.slice(0, scanChars)}\n${text.slice(-scanChars)}`;
}

/** Code-fence statistics of a text: fenced blocks, lines and characters inside them (one indexOf walk). */
function fencedCode(text: string): { blocks: number; lines: number; chars: number } {
    let blocks = 0;
    let lines = 0;
    let chars = 0;
    let at = text.indexOf("```");
    while (at !== -1) {
        const bodyStart = text.indexOf("\n", at);
        if (bodyStart === -1) break;
        const end = text.indexOf("```", bodyStart);
        const bodyEnd = end === -1 ? text.length : end;
        blocks++;
        chars += bodyEnd - bodyStart;
        for (
            let i = text.indexOf("\n", bodyStart + 1);
            i !== -1 && i < bodyEnd;
            i = text.indexOf("\n", i + 1)
        ) {
            lines++;
        }
        if (end === -1) break;
        at = text.indexOf("```", end + 3);
    }
    return { blocks, lines, chars };
}

function countWords(text: string): number {
    let words = 0;
    let inWord = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const space = c === 32 || c === 10 || c === 9 || c === 13;
        if (!space && !inWord) words++;
        inWord = !space;
    }
    return words;
}

/**
 * The instruction without its fenced code (for the prose word count and the question mark): each block
 * from its opening fence to the next fence (or the end) becomes one space, as
 * `text.replace(/```[\s\S]*?(?:```|$)/g, " ")` would, in one indexOf walk.
 */
function proseOf(text: string): string {
    let at = text.indexOf("```");
    if (at === -1) return text;
    let prose = "";
    let from = 0;
    while (at !== -1) {
        prose += `${text.slice(from, at)} `;
        const end = text.indexOf("```", at + 3);
        from = end === -1 ? text.length : end + 3;
        at = end === -1 ? -1 : text.indexOf("```", from);
    }
    return prose + text.slice(from);
}

/**
 * The instruction (see the module comment): the last user turn's text, or, when it has none, the latest
 * earlier user text; `fromHistory` says which.
 */
function instructionOf(request: ChatRequest, lastUserText: string): { text: string; fromHistory: boolean } {
    // The rules' last user text is the human's words already (features.ts).
    if (lastUserText !== "") return { text: lastUserText, fromHistory: false };
    const { messages } = request;
    for (let m = messages.length - 2; m >= 0; m--) {
        const message = messages[m]!;
        if (message.role !== "user") continue;
        const text = humanText(textOf(message));
        if (text !== "") return { text, fromHistory: true };
    }
    return { text: "", fromHistory: false };
}

/**
 * The request's feature vector (layout: `featureNames`, version: `featureSchemaVersion`); `vectors` is the
 * table the model was trained with (classifier.json names it). `features` are the rules' own features
 * when the caller has them already (the router does); computed otherwise.
 */
export function featureVector(
    request: ChatRequest,
    vectors: WordVectors,
    features: RequestFeatures = extractFeatures(request),
): Float32Array {
    if (vectors.dimensions !== semanticDimensions) {
        throw new RangeError(
            `the routing features take ${semanticDimensions}-dimensional word vectors (got ${vectors.dimensions})`,
        );
    }
    const v = new Float32Array(featureCount);
    const agent = agentLoop(request);
    const { text, fromHistory } = instructionOf(request, features.lastUserText);
    const window = scanWindow(text);
    const code = fencedCode(text);
    const prose = proseOf(window);
    const fileRefs = fileRefsOf(window);

    let i = 0;
    v[i++] = Math.log1p(features.contextTokens);
    v[i++] = Math.log1p(request.system?.length ?? 0);
    v[i++] = Math.log1p(request.messages.length);
    v[i++] = Math.log1p(text.length);
    v[i++] = Math.log1p(countWords(prose));
    v[i++] = Math.log1p(code.lines);
    v[i++] = text.length === 0 ? 0 : code.chars / text.length;
    v[i++] = Math.log1p(code.blocks);
    v[i++] = Math.log1p(fileRefs.size);
    v[i++] = Math.log1p(request.max_tokens ?? 0);
    v[i++] = prose.includes("?") ? 1 : 0;
    v[i++] = stackTracePattern.test(window) ? 1 : 0;
    v[i++] = features.hasTools ? 1 : 0;
    v[i++] = Math.log1p(request.tools?.length ?? 0);
    v[i++] = Math.log1p(agent.toolResults);
    v[i++] = Math.min(toolErrorStreak(request.messages, toolResultFlagged), maxToolErrorStreak);
    v[i++] = Math.log1p(agent.toolCalls);
    v[i++] = Math.log1p(agent.userTurns);
    v[i++] = Math.log1p(agent.toolErrors);
    v[i++] = Math.min(agent.errorStreak, maxToolErrorStreak);
    v[i++] = Math.log1p(agent.touchedFiles.size);
    v[i++] = fromHistory ? 1 : 0;
    v[i++] = diffPattern.test(window) ? 1 : 0;

    for (let l = 0; l < languageEntries.length; l++) {
        v[firstLanguageColumn + l] = languageCue(languageEntries[l]!, window) ? 1 : 0;
    }
    // An exec loop on the one shared regex: matchAll would clone it (a new RegExp per call). Cue matches
    // are never empty, so the loop advances as matchAll does.
    cuePattern.lastIndex = 0;
    for (let match = cuePattern.exec(prose); match !== null; match = cuePattern.exec(prose)) {
        // Capture group g+1 is cue group g; exactly one of them is defined per match.
        for (let g = 0; g < cueGroupNames.length; g++) {
            if (match[g + 1] !== undefined) {
                const column = firstCueColumn + g;
                v[column] = Math.min(v[column]! + 1, maxCueCount);
                break;
            }
        }
    }

    i = firstTaskColumn;
    v[i++] = features.taskType === undefined ? 0 : 1;
    for (const type of hintTaskTypes) v[i++] = features.taskType === type ? 1 : 0;
    v[i++] = features.tags.includes("security") ? 1 : 0;
    v[i++] = features.tags.includes("architecture") ? 1 : 0;
    v[i++] = Math.log1p(features.tags.length);
    v[i++] = features.latencyBudgetMs === undefined ? 0 : 1;
    v[i++] =
        features.latencyBudgetMs !== undefined && features.latencyBudgetMs <= tightLatencyBudgetMs ? 1 : 0;
    vectors.meanInto(prose, v, firstSemanticColumn);
    return v;
}
