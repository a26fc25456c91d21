/**
 * Requests from clients that are neither tool loops nor one-shot asks, for the routing data set: an
 * aider-style session (no tools; a system prompt of edit-format rules, the files added to the chat pasted
 * as earlier turns, then the task) and an IDE chat panel (a short system prompt naming the open file, a
 * few earlier questions and answers, then the new ask). The history is long or chatty, the ask is what
 * the label follows (models/router/README.md: a first turn is its task's tier; earlier chat is context,
 * not difficulty).
 */
import type { ChatMessage } from "../../../src/chat/types.js";
import { agentTask } from "./agentRequests.js";
import { dirs, identifier, sourceFile, type Language } from "./codeSnippets.js";
import type { Draft, DraftRng, TierName, WeightedGenerator } from "./draft.js";
import { terseAsks } from "./otherWording.js";

type CodeLanguage = Exclude<Language, "sql">;
const extension: Record<CodeLanguage, string> = {
    ts: "ts",
    python: "py",
    go: "go",
    rust: "rs",
    java: "java",
};

const editFormatRules = [
    "Act as an expert software developer. Always use best practices when coding. Respect and use existing conventions, libraries, etc that are already present in the code base.",
    "Take requests for changes to the supplied code. If the request is ambiguous, ask questions.",
    "Once you understand the request you MUST: 1. Decide if you need to propose *SEARCH/REPLACE* edits to any files that haven't been added to the chat. 2. Think step-by-step and explain the needed changes in a few short sentences. 3. Describe each change with a *SEARCH/REPLACE block*.",
    "Every *SEARCH/REPLACE block* must use this format: the full file path alone on a line, the opening fence, <<<<<<< SEARCH, a contiguous chunk of lines to search for in the existing source code, =======, the lines to replace into the source code, >>>>>>> REPLACE, the closing fence.",
    "Every *SEARCH* section must EXACTLY MATCH the existing file content, character for character, including all comments, docstrings, etc.",
    "Only create *SEARCH/REPLACE* blocks for files that the user has added to the chat!",
    "To move code within a file, use 2 *SEARCH/REPLACE* blocks: 1 to delete it from its current location, 1 to insert it in the new location.",
    "If you want to put code in a new file, use a *SEARCH/REPLACE block* with an empty SEARCH section.",
];

const pickLanguage = (rng: DraftRng): CodeLanguage =>
    rng.pick(["ts", "ts", "python", "go", "rust", "java"] as const);
const pickTier = (rng: DraftRng): TierName => rng.pick(["local", "local", "mid", "mid", "frontier"] as const);

/** An aider-style session: files pasted as turns, then the task. */
function aiderChat(rng: DraftRng): Draft {
    rng.shape("aider");
    const language = pickLanguage(rng);
    const files = Array.from({ length: 1 + rng.int(3) }, () => {
        const f = sourceFile(rng, language, 3 + rng.int(12));
        return { path: `src/${rng.pick(dirs)}/${f.name}.${extension[language]}`, file: f };
    });
    const tier = pickTier(rng);
    const task = agentTask(rng, files[0]!.path, files[0]!.file.name, tier);
    const pasted = files.map((f) => `${f.path}\n\`\`\`\n${f.file.code}\n\`\`\``).join("\n\n");
    const history: ChatMessage[] = [
        {
            role: "user",
            content: `I have *added these files to the chat* so you can go ahead and edit them.\n\n${pasted}`,
        },
        { role: "assistant", content: "Ok, any changes I propose will be to those files." },
    ];
    if (rng.chance(0.4)) {
        history.push(
            { role: "user", content: `what does ${files[0]!.file.name} do` },
            {
                role: "assistant",
                content: `It ${rng.pick(["parses the input and returns the records", "builds the request and retries it", "merges the two maps"])}.`,
            },
        );
    }
    return {
        label: tier,
        text: task.text,
        output: tier === "frontier" ? [400, 2000] : [80, 700],
        system: editFormatRules.slice(0, 3 + rng.int(editFormatRules.length - 2)).join("\n\n"),
        history,
    };
}

/** An IDE chat panel: earlier questions and answers, then the new ask. */
function ideChat(rng: DraftRng): Draft {
    rng.shape("ide_chat");
    const language = pickLanguage(rng);
    const file = sourceFile(rng, language, 2 + rng.int(6));
    const path = `src/${rng.pick(dirs)}/${file.name}.${extension[language]}`;
    const tier = pickTier(rng);
    const text = rng.chance(0.5)
        ? rng.pick(terseAsks[tier])(rng)
        : agentTask(rng, path, file.name, tier).text;
    const history: ChatMessage[] = [];
    for (let turn = rng.int(4); turn > 0; turn--) {
        const asked = rng.pick(terseAsks.local)(rng);
        history.push(
            { role: "user", content: asked },
            {
                role: "assistant",
                content: `Here you go:\n\`\`\`${language}\n${sourceFile(rng, language, 1).code}\n\`\`\``,
            },
        );
    }
    const selection = rng.chance(0.5) ? `\n\nSelected code:\n\`\`\`${language}\n${file.code}\n\`\`\`` : "";
    return {
        label: tier,
        text: `${text}${selection}`,
        output: tier === "frontier" ? [400, 1800] : [60, 600],
        system: `You are an AI programming assistant in the user's IDE. The active file is ${path}. Keep answers short and use Markdown code blocks.${rng.chance(0.3) ? ` The user's name is ${identifier(rng)}.` : ""}`,
        history,
    };
}

export const chatShapeGenerators: Record<string, WeightedGenerator> = {
    aider_chat: { weight: 6, make: aiderChat },
    ide_chat: { weight: 6, make: ideChat },
};
