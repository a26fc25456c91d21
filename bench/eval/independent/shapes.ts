/**
 * Request shapes of the independent evaluation set (independentSet.ts), written for it: an agent system
 * prompt and tool list in the style coding agents send, tool-call exchanges (with errors), a long module,
 * a diff. Nothing here comes from the training-data generator.
 */
import type { ChatMessage, ChatRequest, ToolDefinition } from "../../../src/chat/types.js";

let sessions = 0;

export const agentSystem = [
    "You are an autonomous software engineering agent working in the user's repository.",
    "Use the tools to inspect files before you change them. Prefer small, reviewable edits.",
    "Never invent APIs: read the code. Run the test suite after each change and report what you ran.",
    "Keep answers short; show diffs rather than whole files. Ask before deleting anything.",
    "The repository uses TypeScript (strict), pnpm workspaces and vitest. CI runs lint, typecheck and tests.",
].join("\n");

const schema = (props: Record<string, string>): Record<string, unknown> => ({
    type: "object",
    properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
    required: Object.keys(props),
});
export const agentTools: ToolDefinition[] = [
    { name: "Read", description: "Read a file", input_schema: schema({ path: "string" }) },
    {
        name: "Edit",
        description: "Replace text in a file",
        input_schema: schema({ path: "string", old: "string", new: "string" }),
    },
    { name: "Bash", description: "Run a shell command", input_schema: schema({ command: "string" }) },
    { name: "Grep", description: "Search the repository", input_schema: schema({ pattern: "string" }) },
];

let callId = 0;
/** An assistant tool call and the user's tool result, as one exchange. */
export function exchange(
    tool: string,
    args: Record<string, unknown>,
    result: string,
    isError = false,
): ChatMessage[] {
    const id = `call_${++callId}`;
    return [
        { role: "assistant", content: [{ type: "tool_call", id, name: tool, arguments: args }] },
        {
            role: "user",
            content: [{ type: "tool_result", tool_call_id: id, content: result, is_error: isError }],
        },
    ];
}

/** A long TypeScript module of small, unrelated helpers (`count` of them). */
export function longModule(count: number): string {
    const bodies = [
        (i: number) =>
            `export function formatPrice${i}(cents: number): string {\n    return "$" + (cents / 100).toFixed(2);\n}`,
        (i: number) =>
            `export function pickFields${i}<T extends object>(obj: T, keys: (keyof T)[]): Partial<T> {\n    const out: Partial<T> = {};\n    for (const k of keys) out[k] = obj[k];\n    return out;\n}`,
        (i: number) =>
            `export async function loadUsr${i}(db: Db, id: string): Promise<User | null> {\n    const usr = await db.users.findOne({ id });\n    return usr ?? null;\n}`,
        (i: number) =>
            `export function slug${i}(title: string): string {\n    return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");\n}`,
    ];
    return Array.from({ length: count }, (_, i) => bodies[i % bodies.length]!(i)).join("\n\n");
}

export const diff = `diff --git a/src/cli/args.ts b/src/cli/args.ts
@@ -12,6 +12,9 @@ export function parseArgs(argv: string[]): Args {
     if (a === "--verbose") args.verbose = true;
+    else if (a === "--quiet") args.quiet = true;
+    else if (a === "--color") args.color = argv[++i] === "always";
     else rest.push(a);
   }
-  return { ...args, rest };
+  return { ...args, rest, quiet: args.quiet ?? false };
 }`;

export const user = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content: text }],
    ...extra,
});
/** An agent request: system prompt, tools, an optional history, then the user's ask. */
export const agent = (text: string, history: ChatMessage[] = []): ChatRequest => ({
    system: agentSystem,
    tools: agentTools,
    messages: [{ role: "user", content: text }, ...history],
    hints: { session_id: `session-${++sessions}` },
});
