/**
 * The coding agents whose requests the routing data set imitates (agentRequests.ts), each with the tool
 * set and the system prompt it sends, written from the agents' public docs and what a local server saw
 * them send (FACTS.md "Coding agents' wire formats"): Claude Code, Codex CLI, and a plain editor agent.
 */
import type { ToolDefinition } from "../../../src/chat/types.js";
import { dirs, identifier, noun } from "./codeSnippets.js";
import type { Rng } from "./rng.js";

export type Client = "claude_code" | "codex" | "editor";

export interface AgentClient {
    tools: ToolDefinition[];
    /** The system prompt for a session in `cwd` (the gateway joins the client's system parts into one). */
    system: (rng: Rng, cwd: string) => string;
}

const schema = (properties: Record<string, unknown>, required: string[]): Record<string, unknown> => ({
    type: "object",
    properties,
    required,
    additionalProperties: false,
});
/**
 * Guidance agents repeat in their tool descriptions and system prompts (real ones run to tens of
 * kilobytes: Claude Code's request is ~15k tokens before the first word of the task).
 */
const guidance = [
    "Always quote file paths that contain spaces with double quotes.",
    "Before running a command that creates files, verify the parent directory exists.",
    "Avoid search commands like find and grep in the shell; use the dedicated search tools instead.",
    "When you run several independent commands, batch them in one message so they run in parallel.",
    "Never update the git config, never push unless the user asks, never use interactive flags such as -i.",
    "Output longer than 30000 characters is truncated before it is returned to you.",
    "Prefer absolute paths; keep the working directory stable across calls.",
    "If a command fails, read the error output carefully before retrying with a change.",
    "Do not create documentation files unless the user explicitly asks for them.",
    "Only use emojis if the user explicitly requests it.",
    "When editing, preserve the exact indentation (tabs or spaces) of the surrounding lines.",
    "You must read a file before you edit it; edits fail when the old text is not unique.",
    "Use the task list for any work with three or more steps and keep exactly one task in progress.",
    "When the user asks for a commit, run git status, git diff and git log first, then draft the message.",
    "Never introduce code that exposes or logs secrets and keys.",
    "Check that a library is already used in the codebase before you write code that depends on it.",
];
const notes = (from: number, count: number): string =>
    Array.from({ length: count }, (_, i) => `- ${guidance[(from + i) % guidance.length]!}`).join("\n");

const str = (description: string): Record<string, string> => ({ type: "string", description });

const claudeCodeTools: ToolDefinition[] = [
    {
        name: "Bash",
        description:
            `${notes(0, 16)}\n${notes(3, 16)}\n` +
            "Executes a given bash command in a persistent shell session with optional timeout. Use it for git, package managers and test runners; never for reading files (use Read).",
        input_schema: schema(
            {
                command: str("The command to execute"),
                timeout: { type: "number" },
                description: str("5-10 words"),
            },
            ["command"],
        ),
    },
    {
        name: "Read",
        description:
            `${notes(5, 8)}\n` +
            "Reads a file from the local filesystem. Lines are numbered from 1 (cat -n format).",
        input_schema: schema(
            { file_path: str("Absolute path"), offset: { type: "number" }, limit: { type: "number" } },
            ["file_path"],
        ),
    },
    {
        name: "Edit",
        description:
            `${notes(10, 8)}\n` +
            "Performs exact string replacements in files. The file must have been read first.",
        input_schema: schema(
            {
                file_path: str("Absolute path"),
                old_string: str("Text to replace"),
                new_string: str("Replacement"),
            },
            ["file_path", "old_string", "new_string"],
        ),
    },
    {
        name: "Write",
        description: `${notes(8, 6)}\n` + "Writes a file to the local filesystem, overwriting it.",
        input_schema: schema({ file_path: str("Absolute path"), content: str("File content") }, [
            "file_path",
            "content",
        ]),
    },
    {
        name: "Glob",
        description:
            "Fast file pattern matching, e.g. src/**/*.ts; returns paths sorted by modification time.",
        input_schema: schema({ pattern: str("Glob pattern"), path: str("Directory") }, ["pattern"]),
    },
    {
        name: "Grep",
        description: `${notes(2, 6)}\n` + "Searches file contents with ripgrep regular expressions.",
        input_schema: schema({ pattern: str("Regex"), path: str("Directory"), glob: str("File filter") }, [
            "pattern",
        ]),
    },
    {
        name: "TodoWrite",
        description:
            `${notes(12, 14)}\n` + "Creates and updates the structured task list for the current session.",
        input_schema: schema({ todos: { type: "array", items: { type: "object" } } }, ["todos"]),
    },
    {
        name: "WebFetch",
        description: "Fetches a URL and answers a prompt about its content.",
        input_schema: schema({ url: str("URL"), prompt: str("What to extract") }, ["url", "prompt"]),
    },
    {
        name: "Task",
        description: `${notes(2, 12)}\n` + "Launches a sub-agent for a multi-step search or research task.",
        input_schema: schema({ description: str("Short task"), prompt: str("The task") }, [
            "description",
            "prompt",
        ]),
    },
];

const codexTools: ToolDefinition[] = [
    {
        name: "shell",
        description: `${notes(1, 10)}\n` + "Runs a shell command and returns its output.",
        input_schema: schema(
            {
                command: { type: "array", items: { type: "string" } },
                workdir: str("Directory"),
                timeout_ms: { type: "number" },
            },
            ["command"],
        ),
    },
    {
        name: "apply_patch",
        description:
            `${notes(10, 12)}\n` +
            "Edits files with a patch in the apply_patch format (*** Begin Patch ... *** End Patch).",
        input_schema: schema({ input: str("The patch") }, ["input"]),
    },
    {
        name: "update_plan",
        description: "Updates the task plan: steps with a status each.",
        input_schema: schema(
            { explanation: str("Why"), plan: { type: "array", items: { type: "object" } } },
            ["plan"],
        ),
    },
    {
        name: "view_image",
        description: "Attaches a local image to the conversation.",
        input_schema: schema({ path: str("Image path") }, ["path"]),
    },
];

const editorTools: ToolDefinition[] = ["read_file", "write_file", "list_dir", "search", "run_command"].map(
    (name) => ({
        name,
        description: `${name.replace("_", " ")} in the open workspace`,
        input_schema: schema(
            { path: str("Workspace-relative path"), query: str("Search text or command") },
            [],
        ),
    }),
);

function claudeCodeSystem(rng: Rng, cwd: string): string {
    const sections = [
        "You are Claude Code, Anthropic's official CLI for Claude.",
        "You are an interactive CLI tool that helps users with software engineering tasks. Use the instructions below and the tools available to you to assist the user.",
        "IMPORTANT: Assist with defensive security tasks only. Never generate or guess URLs unless they help with programming.",
        "# Tone and style\nBe concise, direct and to the point. Answer in fewer than 4 lines unless the user asks for detail. Do not add preamble or postamble.",
        "# Following conventions\nWhen making changes to files, first understand the file's code conventions. Mimic code style, use existing libraries and utilities, and follow existing patterns. Never assume a library is available.",
        "# Task management\nUse the TodoWrite tool to plan and track tasks. Mark todos as completed as soon as you are done with a task.",
        "# Doing tasks\nUse the search tools to understand the codebase. Implement the solution using all tools available. Verify the solution with tests. Run the lint and typecheck commands when you are done.",
        "# Tool usage policy\nBatch independent tool calls in one message. Prefer the Task tool for open-ended searches. Use Read instead of cat, Grep instead of grep.",
        "# Code references\nWhen referencing code, use the pattern file_path:line_number.",
    ];
    const env = `<env>\nWorking directory: ${cwd}\nIs directory a git repo: Yes\nPlatform: linux\nToday's date: 2026-11-${10 + rng.int(18)}\n</env>`;
    const git = `gitStatus: This is the git status at the start of the conversation.\nCurrent branch: ${rng.pick(["main", "feat/" + noun(rng).toLowerCase(), "fix/" + identifier(rng)])}\n\nStatus:\n M src/${rng.pick(dirs)}/${identifier(rng)}.ts\n?? notes.md`;
    const memory = rng.chance(0.5)
        ? `\n\nContents of ${cwd}/CLAUDE.md (project instructions):\n${Array.from({ length: 8 + rng.int(25) }, () => `- ${rng.pick(houseRules)}`).join("\n")}`
        : "";
    const more = Array.from(
        { length: 2 + rng.int(6) },
        (_, i) => `# Guidelines ${i + 1}\n${notes(rng.int(16), 16)}`,
    );
    return `${[...sections, ...more].join("\n\n")}\n\n${env}\n${git}${memory}`;
}

function codexSystem(rng: Rng, cwd: string): string {
    return [
        "You are Codex, a coding agent running in a terminal. You and the user share one workspace.",
        "## AGENTS.md\nRepository-level instructions override these. Keep changes minimal and focused; fix the root cause, not the symptom.",
        ...Array.from({ length: 1 + rng.int(5) }, () => `## Guidelines\n${notes(rng.int(16), 16)}`),
        "## Planning\nUse update_plan for non-trivial work: steps with pending, in_progress or completed status.",
        "## Editing\nUse apply_patch to edit files: *** Begin Patch, one *** Update File: <path> header per file, @@ hunks, *** End Patch.",
        `<permissions instructions>sandbox: ${rng.pick(["workspace-write", "read-only"])}; approval policy: ${rng.pick(["on-request", "never"])}; network: restricted</permissions instructions>`,
        rng.chance(0.6)
            ? `## AGENTS.md (${cwd})\n${Array.from({ length: 5 + rng.int(20) }, () => `- ${rng.pick(houseRules)}`).join("\n")}`
            : "",
    ]
        .filter((x) => x !== "")
        .join("\n\n");
}

const houseRules = [
    "Run the linter and the unit tests before you say a task is done.",
    "Never commit secrets or .env files.",
    "Use the project's logger, never console.log.",
    "New code needs tests next to it.",
    "Prefer small, reviewable diffs.",
    "Do not add dependencies without asking.",
    "Keep public APIs backwards compatible.",
    "Follow the existing error-handling style (typed errors with codes).",
];

export const agentClients: Record<Client, AgentClient> = {
    claude_code: { tools: claudeCodeTools, system: claudeCodeSystem },
    codex: { tools: codexTools, system: codexSystem },
    editor: {
        tools: editorTools,
        system: () =>
            "You are a coding assistant inside the editor. Use the tools to read and change the workspace.",
    },
};
