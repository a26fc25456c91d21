/**
 * Agent-shaped requests for the routing data set, as coding agents send them through the gateway once
 * normalized (docs/gateway.md; FACTS.md "Coding agents' wire formats"): Claude Code (a long system prompt
 * with an environment block, a dozen tools, `<system-reminder>` text in user turns, failed tools flagged
 * `is_error`), Codex CLI (developer instructions, `shell` / `apply_patch` / `update_plan`, an
 * `<environment_context>` user turn, outputs with an exit code and no error flag) and a plain editor
 * agent. A conversation is a task, then rounds of tool calls and results (file reads, searches, test
 * runs, patches, failures), and it ends where the client sends it: on tool results alone (the loop goes
 * on) or on the human's words.
 *
 * Labels (models/router/README.md rubric): a first turn is its task's tier; a turn inside a loop needs
 * at least `mid` (an agent turn after at most one failed tool call); two or more failed tool results in
 * a row at the end (a stalled agent) need `frontier`, whatever the task.
 */
import type { ChatMessage, TextPart, ToolResultPart } from "../../../src/chat/types.js";
import {
    diff,
    dirs,
    fields,
    identifier,
    noun,
    snippet,
    sourceFile,
    stackTrace,
    type Language,
} from "./codeSnippets.js";
import { agentClients, type Client } from "./agentClients.js";
import type { Draft, DraftRng, TierName, WeightedGenerator } from "./draft.js";
import type { Rng } from "./rng.js";

type CodeLanguage = Exclude<Language, "sql">;

const extension: Record<CodeLanguage, string> = {
    ts: "ts",
    python: "py",
    go: "go",
    rust: "rs",
    java: "java",
};
const testCommand: Record<CodeLanguage, string> = {
    ts: "npm test",
    python: "pytest -q",
    go: "go test ./...",
    rust: "cargo test",
    java: "./gradlew test",
};

/** A task an agent is given, with the tier the task itself needs (a first turn's label). */
interface AgentTask {
    tier: TierName;
    text: string;
}

export function agentTask(rng: DraftRng, file: string, fn: string, tier: TierName): AgentTask {
    const thing = noun(rng).toLowerCase();
    const dir = rng.pick(dirs);
    const texts: Record<TierName, string[]> = {
        local: [
            `Add a docstring to ${fn} in ${file}.`,
            `Rename ${fn} to ${identifier(rng)} in ${file} and its callers in that file.`,
            `Fix the typo "recieve" in the error messages of ${file}.`,
            `Sort the imports in ${file}.`,
            "Write a commit message for the staged changes.",
            `Run the formatter on src/${dir} and show me the diff.`,
            `What does ${fn} in ${file} return when the list is empty?`,
            "Bump the version in package.json to 2.4.1.",
            `Add a comment above ${fn} explaining the limit parameter.`,
            "list the files here",
        ],
        mid: [
            `The test for ${fn} fails. Fix it.`,
            `Add a --${rng.pick(["dry-run", "since", "json", "limit"])} flag to the CLI and wire it through.`,
            `Write unit tests for ${file} covering the error paths.`,
            `Add retry with exponential backoff to the ${thing} client.`,
            `Convert ${file} from callbacks to async/await.`,
            `The build fails with a type error in ${file}; fix it.`,
            `Add pagination to the /${thing}s endpoint.`,
            `Implement caching of ${fn} results with a TTL.`,
            `Port ${file} to the v4 SDK.`,
        ],
        frontier: [
            `Refactor the ${thing} persistence so every service goes through one repository interface.`,
            "The integration tests are flaky on CI (about 1 run in 30). Find the root cause and fix it.",
            `After a worker restart we process some ${thing}s twice in production. Find out why.`,
            `Audit the auth middleware and session handling in src/${dir} for vulnerabilities.`,
            `Break the circular dependency between src/${dir} and src/${rng.pick(dirs)} without changing behaviour.`,
            `Migrate the whole repo from ${rng.pick(["Jest to Vitest", "Express to Fastify", "moment to date-fns", "REST handlers to tRPC"])}.`,
            `p99 latency of the ${thing} API doubled since the last release; find the regression.`,
            `The ${thing} worker deadlocks under load every few hours. Investigate.`,
            `Design and implement sharding for the ${thing} queue so it scales to 10x.`,
        ],
    };
    return { tier, text: rng.phrasing(texts[tier]) };
}

/** One tool round: the call the assistant makes and what the client sends back. */
interface Round {
    call: { name: string; arguments: Record<string, unknown> };
    result: string;
    failed: boolean;
}

function numbered(code: string): string {
    return code
        .split("\n")
        .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
        .join("\n");
}

function successRound(rng: Rng, client: Client, language: CodeLanguage, path: string, fn: string): Round {
    const kind = rng.pick(["read", "read", "search", "test", "edit", "status"] as const);
    const cc = client === "claude_code";
    const cx = client === "codex";
    switch (kind) {
        case "read": {
            const code = sourceFile(rng, language, 2 + rng.int(6)).code;
            return {
                call: cc
                    ? { name: "Read", arguments: { file_path: path } }
                    : cx
                      ? { name: "shell", arguments: { command: ["sed", "-n", "1,200p", path] } }
                      : { name: "read_file", arguments: { path } },
                result: cc ? numbered(code) : cx ? `Exit code: 0\nOutput:\n${code}` : code,
                failed: false,
            };
        }
        case "search": {
            const hits = Array.from(
                { length: 2 + rng.int(6) },
                () =>
                    `src/${rng.pick(dirs)}/${identifier(rng)}.${extension[language]}:${rng.int(300) + 1}:    ${fn}(${rng.pick(fields)})`,
            ).join("\n");
            return {
                call: cc
                    ? { name: "Grep", arguments: { pattern: fn } }
                    : cx
                      ? { name: "shell", arguments: { command: ["rg", "-n", fn] } }
                      : { name: "search", arguments: { query: fn } },
                result: cx ? `Exit code: 0\nOutput:\n${hits}` : hits,
                failed: false,
            };
        }
        case "test": {
            const passed = 5 + rng.int(200);
            const out = `${testCommand[language]}\n...\nTests: ${passed} passed, ${passed} total\nTime: ${(rng.next() * 9 + 1).toFixed(2)} s`;
            return {
                call: cc
                    ? {
                          name: "Bash",
                          arguments: { command: testCommand[language], description: "Run the tests" },
                      }
                    : cx
                      ? { name: "shell", arguments: { command: testCommand[language].split(" ") } }
                      : { name: "run_command", arguments: { query: testCommand[language] } },
                result: cx ? `Exit code: 0\nWall time: 4.2 seconds\nOutput:\n${out}` : out,
                failed: false,
            };
        }
        case "edit":
            return {
                call: cc
                    ? {
                          name: "Edit",
                          arguments: { file_path: path, old_string: `${fn}(`, new_string: `${fn}(ctx, ` },
                      }
                    : cx
                      ? { name: "apply_patch", arguments: { input: patch(rng, [path]) } }
                      : { name: "write_file", arguments: { path, query: "..." } },
                result: cc
                    ? `The file ${path} has been updated. Here's the result of running \`cat -n\` on a snippet:\n${numbered(snippet(rng, language).code)}`
                    : cx
                      ? `Success. Updated the following files:\nM ${path}`
                      : "ok",
                failed: false,
            };
        case "status":
            return {
                call: cc
                    ? { name: "Bash", arguments: { command: "git status --short && git diff --stat" } }
                    : cx
                      ? { name: "shell", arguments: { command: ["git", "diff"] } }
                      : { name: "run_command", arguments: { query: "git diff" } },
                result: cx
                    ? `Exit code: 0\nOutput:\n${diff(rng, 1 + rng.int(2))}`
                    : diff(rng, 1 + rng.int(2)),
                failed: false,
            };
    }
}

function patch(rng: Rng, paths: readonly string[]): string {
    const hunks = paths.map(
        (p) =>
            `*** Update File: ${p}\n@@\n-    const out = [];\n+    const out = new ${noun(rng)}Buffer(limit);`,
    );
    return `*** Begin Patch\n${hunks.join("\n")}\n*** End Patch`;
}

function failedRound(rng: Rng, client: Client, language: CodeLanguage, path: string, fn: string): Round {
    const cc = client === "claude_code";
    const cx = client === "codex";
    const kind = rng.pick(["test", "test", "build", "edit", "run"] as const);
    if (kind === "edit") {
        return {
            call: cc
                ? {
                      name: "Edit",
                      arguments: { file_path: path, old_string: `return ${fn}(`, new_string: "return" },
                  }
                : cx
                  ? { name: "apply_patch", arguments: { input: patch(rng, [path]) } }
                  : { name: "write_file", arguments: { path, query: "..." } },
            result: cc
                ? "String to replace not found in file.\nString: return " + fn
                : cx
                  ? `error: patch failed: ${path}:${rng.int(200) + 1}\nerror: ${path}: patch does not apply`
                  : "Error: the file changed on disk since it was read",
            failed: true,
        };
    }
    const failures = 1 + rng.int(4);
    const output =
        kind === "build"
            ? language === "ts"
                ? `${path}(${rng.int(200) + 1},${rng.int(40) + 1}): error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string'.`
                : language === "rust"
                  ? `error[E0308]: mismatched types\n --> ${path}:${rng.int(200) + 1}:9\nerror: could not compile due to 1 previous error`
                  : `${stackTrace(rng, language, fn)}\nFAILED`
            : kind === "run"
              ? stackTrace(rng, language, fn)
              : `${testCommand[language]}\nFAIL ${path.replace(/\.\w+$/, ".test")}\n  ● ${fn} › handles an empty list\n\n${stackTrace(rng, language, fn)}\n\nTests: ${failures} failed, ${10 + rng.int(90)} passed`;
    const command = kind === "run" ? `node dist/cli.js ${rng.pick(fields)}` : testCommand[language];
    return {
        call: cc
            ? { name: "Bash", arguments: { command } }
            : cx
              ? { name: "shell", arguments: { command: command.split(" ") } }
              : { name: "run_command", arguments: { query: command } },
        result: cx ? `Exit code: 1\nWall time: 3.1 seconds\nOutput:\n${output}` : `${output}\nexit status 1`,
        failed: true,
    };
}

const nudges = [
    "continue",
    "keep going",
    "The tests still fail, try again.",
    "no, use the existing helper instead",
    "That didn't work either.",
    "ok, now run the tests",
    "looks good, also update the docs",
];

function agentLoopDraft(rng: DraftRng): Draft {
    const client = rng.pick(["claude_code", "claude_code", "codex", "codex", "editor"] as const);
    rng.shape(client);
    const language = rng.pick(["ts", "ts", "python", "go", "rust", "java"] as const);
    const cwd = `/home/dev/${rng.pick(["api", "web", "platform", "billing-service", "tools"])}`;
    const fn = identifier(rng);
    const path = `src/${rng.pick(dirs)}/${fn}.${extension[language]}`;
    const taskTier = rng.pick(["local", "local", "mid", "mid", "mid", "frontier", "frontier"] as const);
    const task = agentTask(rng, path, fn, taskTier);

    const first: ChatMessage[] =
        client === "claude_code"
            ? [
                  {
                      role: "user",
                      content: [
                          {
                              type: "text",
                              text: `<system-reminder>As you answer the user's questions, you can use the following context: ${rng.pick(["Todo list is empty.", "The user opened " + path + " in the IDE.", "Recent files: " + path])}</system-reminder>`,
                          },
                          { type: "text", text: task.text },
                      ],
                  },
              ]
            : client === "codex"
              ? [
                    {
                        role: "user",
                        content: `<environment_context>\n  <cwd>${cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <shell>bash</shell>\n</environment_context>`,
                    },
                    { role: "user", content: task.text },
                ]
              : [{ role: "user", content: task.text }];

    // A first turn (no tool round yet) about a third of the time; else a loop of 1–12 rounds whose last
    // `errors` results failed.
    const rounds = rng.chance(0.3) ? 0 : 1 + rng.int(rng.chance(0.3) ? 12 : 5);
    const errors = rounds === 0 ? 0 : Math.min(rounds, rng.chance(0.3) ? 2 + rng.int(3) : rng.int(2));
    const messages: ChatMessage[] = [...first];
    for (let i = 0; i < rounds; i++) {
        const round =
            i >= rounds - errors
                ? failedRound(rng, client, language, path, fn)
                : i === rounds - errors - 2 && rng.chance(0.3)
                  ? failedRound(rng, client, language, path, fn) // an earlier failure, a success after it
                  : successRound(rng, client, language, path, fn);
        const id = client === "claude_code" ? `toolu_${rng.int(1e9).toString(36)}` : `call_${i}`;
        const narration: TextPart[] = rng.chance(0.4)
            ? [
                  {
                      type: "text",
                      text: rng.pick([
                          "Let me check that.",
                          "I'll run the tests.",
                          "Now I'll make the change.",
                          "Looking at the error.",
                      ]),
                  },
              ]
            : [];
        messages.push({
            role: "assistant",
            content: [
                ...narration,
                { type: "tool_call", id, name: round.call.name, arguments: round.call.arguments },
            ],
        });
        const result: ToolResultPart = {
            type: "tool_result",
            tool_call_id: id,
            content: round.result,
            // Claude Code flags a failed tool; Codex's function outputs and the editor's carry no flag.
            ...(round.failed && client === "claude_code" && { is_error: true }),
        };
        messages.push({ role: "user", content: [result] });
    }
    // Where the client sends the request: on the tool results (the loop goes on) or after the human's words.
    if (rounds > 0 && rng.chance(0.25)) {
        messages.push({
            role: "assistant",
            content: rng.pick(["The change is in place.", "Tests are still red.", "I need more context."]),
        });
        messages.push({ role: "user", content: rng.pick(nudges) });
    }

    const stalled = errors >= 2;
    const label: TierName = stalled
        ? "frontier"
        : rounds === 0
          ? task.tier
          : task.tier === "local"
            ? "mid"
            : task.tier;
    return {
        label,
        text: task.text,
        output: stalled || task.tier === "frontier" ? [400, 2000] : [80, 800],
        system: agentClients[client].system(rng, cwd),
        toolset: agentClients[client].tools,
        conversation: messages,
        maxTokens:
            client === "claude_code"
                ? rng.pick([32_000, 64_000, 128_000])
                : client === "codex"
                  ? undefined
                  : 4_096,
    };
}

/** A diff pasted for review: a plain look-over is `mid`, a security or concurrency review `frontier`. */
function diffReviewDraft(rng: DraftRng): Draft {
    const d = diff(rng, 1 + rng.int(6));
    const hard = rng.chance(0.35);
    const text = hard
        ? rng.phrasing([
              `${d}\n\nCan this change introduce a race between two writers? Review it carefully.`,
              `Review this diff for security problems before I merge it (authz, injection, secrets):\n${d}`,
              `${d}\n\nDoes this patch keep the retry idempotent when the broker redelivers?`,
          ])
        : rng.phrasing([
              `Review this diff before I merge it:\n${d}`,
              `${d}\n\nany bugs in this change?`,
              `Look over this patch and point out problems:\n${d}`,
          ]);
    return {
        label: hard ? "frontier" : "mid",
        text,
        output: [200, 900],
        taskType: rng.chance(0.3) ? "review" : undefined,
    };
}

export const agentGenerators: Record<string, WeightedGenerator> = {
    agent_loop: { weight: 24, make: agentLoopDraft },
    diff_review: { weight: 3, make: diffReviewDraft },
};
