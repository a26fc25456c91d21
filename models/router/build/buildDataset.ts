/**
 * Builds the routing classifier's labelled data set: coding-agent requests across task types, each
 * labelled with the lowest tier that handles it (rubric: models/router/README.md), split into train and
 * held-out by a hash of the item id. Deterministic (seeded RNG): the same seed writes the same files.
 *
 *   node --import tsx models/router/build/buildDataset.ts   # → models/router/dataset/{train,heldout}.jsonl.gz
 *
 * Every category draws from several phrasings × generated code (codeSnippets.ts) × optional system
 * prompts, hints, tools and agent history, and carries the ambiguity real traffic has:
 * - a category's label is its usual tier, but a share of its items are easier or harder than it looks
 *   (a "bug" that is a typo; tests for concurrent code; an "explain" of a lock-free queue), sometimes
 *   with a word that gives it away and sometimes without;
 * - short prompts that are hard ("Design a sharded job queue with exactly-once delivery.") and long
 *   prompts that are easy (a 400-line file and "rename x to y");
 * - hints that are missing most of the time, and a small share of labels moved one tier (annotators
 *   disagree at the margin).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChatMessage, ChatRequest, ToolDefinition } from "../../../src/chat/types.js";
import {
    diff,
    fields,
    fence,
    fileBundle,
    identifier,
    languages,
    noun,
    snippet,
    sourceFile,
    stackTrace,
    type Language,
} from "./codeSnippets.js";
import { agentGenerators } from "./agentRequests.js";
import { draftRng, familyOf, tierNames, type TierName, type WeightedGenerator } from "./draft.js";
import { chatShapeGenerators } from "./chatShapes.js";
import { otherWordingGenerators } from "./otherWording.js";
import { restyle } from "./restyle.js";
import { createRng, type Rng } from "./rng.js";

export { tierNames, type TierName };

export interface DatasetItem {
    id: string;
    /** The generator that made it (a task type). */
    category: string;
    /**
     * Its wording family (draft.ts `familyOf`): the build's cross-validation holds out whole families.
     * Every generated item has one; hand-written items (bench/eval/independent) have none.
     */
    family?: string;
    /** The lowest tier that handles it. */
    label: TierName;
    request: ChatRequest;
    /** Expected answer length in tokens, for the eval's cost estimate. */
    output_tokens: number;
}

const codeLanguages = languages.filter((l): l is Exclude<Language, "sql"> => l !== "sql");
const pickCodeLanguage = (rng: Rng): Exclude<Language, "sql"> => rng.pick(codeLanguages);

function polite(rng: Rng, text: string): string {
    const prefix = rng.pick(["", "", "", "Please ", "Can you ", "Hey, ", "Quick one: ", "I need you to "]);
    const suffix = rng.pick([
        "",
        "",
        "",
        " Thanks!",
        " Keep it short.",
        " Only output the code.",
        " Explain briefly.",
    ]);
    const body = prefix === "" || prefix.endsWith(": ") ? text : text[0]!.toLowerCase() + text.slice(1);
    return `${prefix}${body}${suffix}`;
}

const generators: Record<string, WeightedGenerator> = {
    autocomplete: {
        weight: 14,
        make: (rng) => {
            const s = snippet(rng, rng.pick(languages), 1 + rng.int(4));
            const cut = s.code.slice(0, Math.max(20, Math.floor(s.code.length * (0.4 + rng.next() * 0.4))));
            const text = rng.phrasing([
                `Complete the following function:\n\`\`\`${s.language}\n${cut}`,
                `\`\`\`${s.language}\n${cut}\n\`\`\`\nFinish this.`,
                cut,
                `Fill in the body of \`${s.name}\`:\n\`\`\`${s.language}\n${cut}\n\`\`\``,
                `Continue this code:\n${cut}`,
            ]);
            return {
                label: "local",
                text,
                output: [10, 80],
                taskType: rng.chance(0.5) ? "completion" : undefined,
                latencyBudgetMs: rng.chance(0.3) ? 300 + rng.int(700) : undefined,
            };
        },
    },
    docstring: {
        weight: 7,
        make: (rng) => {
            const long = rng.chance(0.35);
            const s = long
                ? sourceFile(rng, pickCodeLanguage(rng), 8 + rng.int(20))
                : snippet(rng, pickCodeLanguage(rng));
            const kind = rng.pick(["docstring", "JSDoc comment", "doc comment", "short comment block"]);
            const text = rng.phrasing([
                `Add a ${kind} to \`${s.name}\`.\n${fence(s)}`,
                `${fence(s)}\nWrite a ${kind} for ${s.name}.`,
                `Document this function with a ${kind}:\n${fence(s)}`,
                `Add comments explaining the parameters of ${s.name}.\n${fence(s)}`,
            ]);
            return {
                label: "local",
                text,
                output: [40, 160],
                taskType: rng.chance(0.3) ? "edit" : undefined,
            };
        },
    },
    rename: {
        weight: 6,
        make: (rng) => {
            const long = rng.chance(0.5);
            const s = long
                ? sourceFile(rng, pickCodeLanguage(rng), 10 + rng.int(25))
                : snippet(rng, pickCodeLanguage(rng));
            const to = identifier(rng);
            const text = rng.phrasing([
                `Rename \`${s.name}\` to \`${to}\` in this file.\n${fence(s)}`,
                `${fence(s)}\nrename ${s.name} -> ${to}, update the call sites in this file`,
                `Change the name of the function ${s.name} to ${to}.\n${fence(s)}`,
                `Rename the variable \`out\` to \`result\` everywhere here:\n${fence(s)}`,
            ]);
            return {
                label: "local",
                text,
                output: [30, 400],
                taskType: rng.chance(0.3) ? "edit" : undefined,
            };
        },
    },
    format: {
        weight: 5,
        make: (rng) => {
            const s = rng.chance(0.3)
                ? sourceFile(rng, pickCodeLanguage(rng), 6 + rng.int(12))
                : snippet(rng, pickCodeLanguage(rng));
            const text = rng.phrasing([
                `Format this code:\n${fence(s)}`,
                `Fix the indentation:\n${fence(s)}`,
                `Sort the imports and remove the unused ones.\n${fence(s)}`,
                `${fence(s)}\nConvert tabs to spaces and wrap lines at 100 columns.`,
                `Fix the lint warnings (trailing whitespace, missing semicolons) in:\n${fence(s)}`,
            ]);
            return { label: "local", text, output: [40, 500] };
        },
    },
    explain: {
        weight: 6,
        make: (rng) => {
            const r = rng.next();
            if (r < 0.65) {
                const s = snippet(rng, rng.pick(languages));
                const text = rng.phrasing([
                    `What does this function do?\n${fence(s)}`,
                    `Explain this ${s.language === "sql" ? "query" : "code"}:\n${fence(s)}`,
                    `${fence(s)}\nwhat is this doing?`,
                    `Explain in one paragraph what ${s.name} returns.\n${fence(s)}`,
                    `What does \`${rng.pick(["Array.prototype.flatMap", "Object.freeze", "itertools.groupby", "sync.Once", "Option::take", "String.intern"])}\` do?`,
                ]);
                return {
                    label: "local",
                    text,
                    output: [60, 250],
                    taskType: rng.chance(0.3) ? "chat" : undefined,
                };
            }
            if (r < 0.9) {
                const s = sourceFile(rng, pickCodeLanguage(rng), 6 + rng.int(12));
                const text = rng.phrasing([
                    `Walk me through how this module works, function by function.\n${fence(s)}`,
                    `Explain how the pieces of this file fit together and where the ${noun(rng).toLowerCase()} state lives.\n${fence(s)}`,
                ]);
                return {
                    label: "mid",
                    text,
                    output: [300, 900],
                    taskType: rng.chance(0.3) ? "chat" : undefined,
                };
            }
            const text = rng.phrasing([
                "Explain why this lock-free queue is linearizable, step by step.",
                "Why is double-checked locking broken without volatile in Java? Explain with the memory model.",
                "Explain how Raft guarantees that a committed entry is never lost across leader changes.",
                "How does this epoch-based reclamation avoid use-after-free?",
            ]);
            const s = snippet(rng, rng.pick(["rust", "java", "go"] as const));
            return {
                label: "frontier",
                text: rng.chance(0.5) ? `${text}\n${fence(s)}` : text,
                output: [500, 1500],
            };
        },
    },
    commit_message: {
        weight: 5,
        make: (rng) => {
            const d = diff(rng, 1 + rng.int(rng.chance(0.3) ? 12 : 3));
            const text = rng.phrasing([
                `Write a commit message for this diff:\n${d}`,
                `${d}\n\ncommit message please, conventional commits style`,
                `Summarize this change as a PR description:\n${d}`,
            ]);
            return {
                label: "local",
                text,
                output: [30, 200],
                taskType: rng.chance(0.6) ? "commit_message" : undefined,
            };
        },
    },
    types: {
        weight: 3,
        make: (rng) => {
            const s = snippet(rng, rng.pick(["ts", "python"] as const));
            const hard = rng.chance(0.3);
            const text = hard
                ? rng.phrasing([
                      `Make \`${s.name}\` generic over the element type and keep the overloads type-safe; the callers pass mapped types.\n${fence(s)}`,
                      `Add precise types for this function, including a conditional type for the return value depending on \`limit\`.\n${fence(s)}`,
                  ])
                : rng.phrasing([
                      `Add type annotations to:\n${fence(s)}`,
                      `Add type hints to ${s.name}.\n${fence(s)}`,
                  ]);
            return { label: hard ? "mid" : "local", text, output: [60, 400] };
        },
    },
    typo_fix: {
        weight: 4,
        make: (rng) => {
            const s = snippet(rng, pickCodeLanguage(rng));
            const text = rng.phrasing([
                `Fix the typo in the error message.\n${fence(s)}`,
                `There's a bug: the error message says "${rng.pick(["recieved", "occured", "seperate", "lenght"])}". Fix it.\n${fence(s)}`,
                `${fence(s)}\nfix: off by one, limit should be inclusive`,
                `The default limit should be 100, not ${rng.int(90) + 10}. Fix it.\n${fence(s)}`,
            ]);
            return {
                label: "local",
                text,
                output: [20, 200],
                taskType: rng.chance(0.3) ? "edit" : undefined,
            };
        },
    },
    unit_tests: {
        weight: 7,
        make: (rng) => {
            const r = rng.next();
            const s = snippet(rng, pickCodeLanguage(rng), r < 0.15 ? 1 : 3 + rng.int(8));
            const framework = rng.pick(["vitest", "jest", "pytest", "go test", "JUnit 5", "cargo test"]);
            if (r < 0.15) {
                return {
                    label: "local",
                    text: rng.phrasing([
                        `Write one ${framework} test for this one-liner.\n${fence(s)}`,
                        `Add a simple test case for ${s.name}.\n${fence(s)}`,
                    ]),
                    output: [60, 200],
                };
            }
            if (r < 0.9) {
                const text = rng.phrasing([
                    `Write unit tests for \`${s.name}\` with ${framework}, covering the edge cases.\n${fence(s)}`,
                    `${fence(s)}\nGenerate a ${framework} test suite for this function: empty input, limits, errors.`,
                    `Add tests for ${s.name}. Mock the ${noun(rng).toLowerCase()} repository.\n${fence(s)}`,
                    `Increase test coverage of this function to 100% branches.\n${fence(s)}`,
                ]);
                return {
                    label: "mid",
                    text,
                    output: [400, 1200],
                    taskType: rng.chance(0.2) ? "edit" : undefined,
                };
            }
            return {
                label: "frontier",
                text: rng.phrasing([
                    `Write property-based tests that find interleavings where this ${noun(rng).toLowerCase()} cache returns stale data under concurrent writers.\n${fence(s)}`,
                    `Design a deterministic simulation test harness for our replication protocol that can reproduce the split-brain we saw.\n${fence(s)}`,
                ]),
                output: [1000, 2500],
            };
        },
    },
    bug_fix: {
        weight: 9,
        make: (rng) => {
            const r = rng.next();
            const s = snippet(rng, pickCodeLanguage(rng), 3 + rng.int(8));
            const trace = stackTrace(rng, s.language, s.name);
            if (r < 0.12) {
                const text = rng.phrasing([
                    `Quick fix: ${s.name} crashes on an empty list.\n${fence(s)}`,
                    `Fix this error:\n${trace}\n${fence(s)}`,
                ]);
                return { label: "local", text, output: [40, 200] };
            }
            if (r < 0.85) {
                const text = rng.phrasing([
                    `This throws:\n${trace}\nHere is the function:\n${fence(s)}\nWhat's wrong and how do I fix it?`,
                    `${fence(s)}\n${s.name} returns the wrong total when ${rng.pick(fields)} is missing. Fix the bug and explain the cause.`,
                    `Our CI started failing with\n${trace}\nafter the last change to ${s.name}. Fix it.\n${fence(s)}`,
                    `The pagination in ${s.name} skips the last page. Find the bug.\n${fence(s)}`,
                    `Fix the bug in this function and add a regression test.\n${fence(s)}`,
                ]);
                return { label: "mid", text, output: [200, 800], tools: rng.chance(0.3) };
            }
            const text = rng.phrasing([
                `This test is flaky: it fails about 1 in 50 runs in CI, never locally. Find the root cause.\n${fence(s)}`,
                `In production we intermittently see duplicated ${noun(rng).toLowerCase()}s after a failover. Here is the consumer; what is going on?\n${fence(s)}`,
                `Why does this deadlock sometimes?\n${fence(s)}`,
                `Memory keeps growing in the worker until it is OOM-killed after ~6 hours. Heap snapshots attached below.\n${fence(s)}`,
                `${fence(s)}\nThis fails only under load.`,
            ]);
            return { label: "frontier", text, output: [600, 1800], tools: rng.chance(0.4) };
        },
    },
    feature: {
        weight: 6,
        make: (rng) => {
            const s = snippet(rng, pickCodeLanguage(rng), 3 + rng.int(8));
            const text = rng.phrasing([
                `Add a \`--${rng.pick(["verbose", "dry-run", "since", "format", "limit"])}\` flag to this command and wire it through.\n${fence(s)}`,
                `Implement cursor-based pagination in ${s.name}.\n${fence(s)}`,
                `Add retry with exponential backoff around the ${noun(rng).toLowerCase()} fetch in this function.\n${fence(s)}`,
                `Implement a LRU cache for ${s.name} with a max size option.\n${fence(s)}`,
                `Write a function that validates a ${noun(rng).toLowerCase()} payload against this schema and returns all errors.`,
                `Create a REST endpoint that returns the ${noun(rng).toLowerCase()}s of a tenant, with filtering by status.`,
            ]);
            return {
                label: "mid",
                text,
                output: [300, 1000],
                taskType: rng.chance(0.2) ? "edit" : undefined,
            };
        },
    },
    query_regex: {
        weight: 3,
        make: (rng) => {
            const sql = snippet(rng, "sql");
            const text = rng.phrasing([
                `Write a SQL query that returns the top 10 ${noun(rng).toLowerCase()}s by revenue per month, with ties.`,
                `Rewrite this query to use a window function instead of the self-join:\n${fence(sql)}`,
                `Write a regex that matches semantic version ranges like ^1.2.3, ~2.0 and >=3.1.0 <4.`,
                `This query is slow on 50M rows. Suggest indexes and rewrite it.\n${fence(sql)}`,
            ]);
            return { label: "mid", text, output: [150, 600] };
        },
    },
    refactor_single: {
        weight: 5,
        make: (rng) => {
            const s = rng.chance(0.5)
                ? sourceFile(rng, pickCodeLanguage(rng), 4 + rng.int(8))
                : snippet(rng, pickCodeLanguage(rng), 6 + rng.int(6));
            const text = rng.phrasing([
                `Extract the validation in ${s.name} into its own function.\n${fence(s)}`,
                `Refactor this to async/await instead of callbacks.\n${fence(s)}`,
                `Split this function into smaller ones; keep behaviour identical.\n${fence(s)}`,
                `Clean up this file: remove duplication between the functions.\n${fence(s)}`,
                `Replace the for loops with map/filter where it reads better.\n${fence(s)}`,
            ]);
            const trivial = rng.chance(0.12);
            return {
                label: trivial ? "local" : "mid",
                text,
                output: [300, 1200],
                taskType: rng.chance(0.3) ? "edit" : undefined,
            };
        },
    },
    migration_single: {
        weight: 3,
        make: (rng) => {
            const s = snippet(rng, rng.pick(["ts", "python", "java"] as const), 4 + rng.int(6));
            const text = rng.phrasing([
                `Convert this class component to a function component with hooks.\n${fence(s)}`,
                `Port this function from Python 2 to Python 3.\n${fence(s)}`,
                `Migrate this file from CommonJS require() to ES modules.\n${fence(s)}`,
                `Upgrade this code from the v3 to the v4 client API (the method names changed).\n${fence(s)}`,
            ]);
            return { label: "mid", text, output: [300, 1000] };
        },
    },
    agent_turn: {
        weight: 5,
        make: (rng) => {
            const errors = rng.chance(0.35) ? 2 + rng.int(3) : rng.int(2);
            const history = agentHistory(rng, errors);
            const text = rng.phrasing([
                "Continue.",
                "The tests still fail, try again.",
                "OK, now run the tests.",
                `Now update the ${noun(rng).toLowerCase()} handler the same way.`,
                "That didn't work either.",
            ]);
            return {
                label: errors >= 2 ? "frontier" : "mid",
                text,
                output: [200, 900],
                tools: true,
                history,
            };
        },
    },
    multi_file_refactor: {
        weight: 5,
        make: (rng) => {
            const language = pickCodeLanguage(rng);
            const bundle = fileBundle(rng, language, 3 + rng.int(5));
            const thing = noun(rng);
            const text = rng.phrasing([
                `Refactor the ${thing.toLowerCase()} handling across these files so that all persistence goes through a single repository interface. Keep the public API stable.\n\n${bundle.text}`,
                `${bundle.text}\n\nThese modules have a circular dependency between ${bundle.paths[0]} and ${bundle.paths[1]}. Restructure them to break the cycle.`,
                `Split ${bundle.paths[0]} into a core module and adapters, and update every importer in the codebase.\n\n${bundle.text}`,
                `Extract a shared ${thing} service from these handlers and decouple them from the database layer.\n\n${bundle.text}`,
            ]);
            const easy = rng.chance(0.1);
            return {
                label: easy ? "mid" : "frontier",
                text,
                output: [1500, 4000],
                taskType: rng.chance(0.2) ? "edit" : undefined,
                tools: rng.chance(0.4),
            };
        },
    },
    migration_wide: {
        weight: 4,
        make: (rng) => {
            const text = rng.phrasing([
                "Migrate our whole API from Express 4 to Fastify, including the middleware and error handling. What is the plan and what breaks?",
                "We need to upgrade the monorepo from React 16 to 18 with concurrent rendering. Plan the migration across all packages.",
                `Move every service from the old ${noun(rng).toLowerCase()} event bus to Kafka without downtime.`,
                "Port this Python 2 codebase (about 40k lines) to Python 3; how do we do it incrementally?",
                "Migrate the schema from a single Postgres database to per-tenant schemas with zero downtime.",
            ]);
            const bundle = rng.chance(0.5)
                ? `\n\n${fileBundle(rng, pickCodeLanguage(rng), 2 + rng.int(3)).text}`
                : "";
            return {
                label: "frontier",
                text: text + bundle,
                output: [1200, 3500],
                taskType: rng.chance(0.3) ? "plan" : undefined,
            };
        },
    },
    architecture: {
        weight: 5,
        make: (rng) => {
            const short = rng.chance(0.5);
            const text = short
                ? rng.phrasing([
                      "Design a rate limiter for a multi-region API.",
                      "Design a sharded job queue with exactly-once delivery.",
                      `How should we structure the ${noun(rng).toLowerCase()} service so it scales to 10x traffic?`,
                      "Event sourcing or CRUD for our billing system? Weigh the trade-offs.",
                      "Propose a caching strategy for our read-heavy GraphQL API.",
                      "What's the right module boundary between auth and billing here?",
                  ])
                : rng.phrasing([
                      `Review the architecture of our ingestion pipeline below. Identify the bottlenecks and propose a design that handles backpressure.\n\n${fileBundle(rng, pickCodeLanguage(rng), 2 + rng.int(4)).text}`,
                      `Here is our current service layout. Write an RFC for splitting it into bounded contexts.\n\n${fileBundle(rng, pickCodeLanguage(rng), 2 + rng.int(3)).text}`,
                  ]);
            return {
                label: "frontier",
                text,
                output: [1000, 3000],
                taskType: rng.chance(0.3) ? rng.pick(["plan", "review"]) : undefined,
                tags: rng.chance(0.3) ? ["architecture"] : undefined,
            };
        },
    },
    security: {
        weight: 4,
        make: (rng) => {
            const s = rng.chance(0.5)
                ? sourceFile(rng, pickCodeLanguage(rng), 3 + rng.int(6))
                : snippet(rng, pickCodeLanguage(rng), 4 + rng.int(6));
            if (rng.chance(0.2)) {
                return {
                    label: "mid",
                    text: rng.phrasing([
                        `Escape the user input before it goes into this HTML template.\n${fence(s)}`,
                        `Use a parameterized query instead of string concatenation here.\n${fence(s)}`,
                    ]),
                    output: [150, 500],
                };
            }
            const text = rng.phrasing([
                `Audit this auth middleware for vulnerabilities.\n${fence(s)}`,
                `Review this code for security issues (injection, SSRF, authz bypass).\n${fence(s)}`,
                `Is this JWT validation safe? Look for token confusion and timing attacks.\n${fence(s)}`,
                `${fence(s)}\nCan an attacker exploit this file upload handler?`,
                "Threat-model our OAuth flow between the mobile app and the API.",
            ]);
            return {
                label: "frontier",
                text,
                output: [800, 2000],
                taskType: rng.chance(0.3) ? "review" : undefined,
                tags: rng.chance(0.35) ? ["security"] : undefined,
            };
        },
    },
    performance: {
        weight: 3,
        make: (rng) => {
            const s = snippet(rng, pickCodeLanguage(rng), 5 + rng.int(6));
            const hard = rng.chance(0.5);
            const text = hard
                ? rng.phrasing([
                      `Our p99 latency doubled after the last deploy. Here is the hot path and a flame graph summary; find the regression.\n${fence(s)}`,
                      `Throughput of this service collapses above 2k RPS. Profile shows lock contention around ${s.name}. Redesign it.\n${fence(s)}`,
                  ])
                : rng.phrasing([
                      `Make ${s.name} faster; it's O(n^2).\n${fence(s)}`,
                      `Optimize this loop, it allocates on every iteration.\n${fence(s)}`,
                  ]);
            return { label: hard ? "frontier" : "mid", text, output: [300, 1500] };
        },
    },
};

const tools: ToolDefinition[] = ["read_file", "edit_file", "run_tests", "bash", "grep"].map((name) => ({
    name,
    description: `${name.replace("_", " ")} in the workspace`,
    input_schema: { type: "object", properties: { arg: { type: "string" } }, required: ["arg"] },
}));

/** An agent conversation so far: a task, tool calls and results, the last `errors` of them failed. */
function agentHistory(rng: Rng, errors: number): ChatMessage[] {
    const s = snippet(rng, pickCodeLanguage(rng));
    const task = rng.pick([
        `Make the ${s.name} tests pass.`,
        `Add input validation to ${s.name}.`,
        `Fix the failing build in src/${noun(rng).toLowerCase()}.`,
    ]);
    const messages: ChatMessage[] = [{ role: "user", content: task }];
    const steps = 1 + rng.int(3) + errors;
    for (let i = 0; i < steps; i++) {
        const id = `call_${i}`;
        const name = rng.pick(["read_file", "edit_file", "run_tests", "bash"]);
        messages.push({
            role: "assistant",
            content: [{ type: "tool_call", id, name, arguments: { arg: `src/${s.name}` } }],
        });
        const failed = i >= steps - errors;
        messages.push({
            role: "user",
            content: [
                {
                    type: "tool_result",
                    tool_call_id: id,
                    content: failed ? stackTrace(rng, s.language, s.name) : i === 0 ? s.code : "ok",
                    is_error: failed,
                },
            ],
        });
    }
    messages.push({ role: "assistant", content: "Let me look at that again." });
    return messages;
}

const systemPrompts = [
    "You are a coding assistant working in the user's repository. Answer concisely.",
    "You are an expert software engineer. Follow the repository's conventions; never invent APIs.",
];

function longSystemPrompt(rng: Rng): string {
    const rules = Array.from(
        { length: 20 + rng.int(30) },
        (_, i) =>
            `${i + 1}. ${rng.pick([
                "Prefer small, reviewable diffs.",
                "Write tests for every behaviour change.",
                "Use the project's logger, never console.log.",
                "Do not add dependencies without asking.",
                "Keep functions under 50 lines.",
                "Explain non-obvious decisions in comments.",
            ])}`,
    );
    return `${rng.pick(systemPrompts)}\n\nHouse rules:\n${rules.join("\n")}`;
}

/** Moves a label one tier up or down (annotator disagreement at the margin). */
function jitterLabel(rng: Rng, label: TierName): TierName {
    const i = tierNames.indexOf(label);
    const j = i === 0 ? 1 : i === tierNames.length - 1 ? i - 1 : rng.chance(0.5) ? i - 1 : i + 1;
    return tierNames[j]!;
}

export interface BuildOptions {
    /** Items generated. Defaults to 1600. */
    count?: number;
    /** Defaults to 20261201. */
    seed?: number;
    /** Share of labels moved one tier. Defaults to 0.03. */
    labelNoise?: number;
}

export function buildDataset(options: BuildOptions = {}): DatasetItem[] {
    const rng = createRng(options.seed ?? 20_261_201);
    const count = options.count ?? 1_600;
    const labelNoise = options.labelNoise ?? 0.03;
    const entries = Object.entries({
        ...generators,
        ...agentGenerators,
        ...otherWordingGenerators,
        ...chatShapeGenerators,
    });
    const totalWeight = entries.reduce((s, [, g]) => s + g.weight, 0);
    const items: DatasetItem[] = [];
    for (let n = 0; n < count; n++) {
        let r = rng.next() * totalWeight;
        const [category, generator] = entries.find(([, g]) => (r -= g.weight) < 0) ?? entries.at(-1)!;
        const recorded = draftRng(rng);
        const draft = generator.make(recorded.rng);
        const messages: ChatMessage[] = draft.conversation ?? [
            ...(draft.history ?? []),
            { role: "user", content: polite(rng, restyle(rng, draft.text).text) },
        ];
        const drawnSystem = rng.chance(0.45)
            ? rng.chance(0.35)
                ? longSystemPrompt(rng)
                : rng.pick(systemPrompts)
            : undefined;
        const system = draft.system ?? drawnSystem;
        const toolset = draft.toolset ?? (draft.tools === true || rng.chance(0.1) ? tools : undefined);
        const maxTokens = rng.chance(0.3) ? rng.pick([256, 1024, 4096, 8192]) : undefined;
        const hints = {
            ...(draft.taskType !== undefined && { task_type: draft.taskType }),
            ...(draft.tags !== undefined && { tags: draft.tags }),
            ...(draft.latencyBudgetMs !== undefined && { latency_budget_ms: draft.latencyBudgetMs }),
            ...(rng.chance(0.3) && { session_id: `s${rng.int(100_000)}` }),
        };
        const request: ChatRequest = {
            ...(system !== undefined && { system }),
            messages,
            ...(toolset !== undefined && { tools: toolset }),
            ...((draft.maxTokens ?? maxTokens) !== undefined && { max_tokens: draft.maxTokens ?? maxTokens }),
            ...(Object.keys(hints).length > 0 && { hints }),
        };
        const [lo, hi] = draft.output;
        items.push({
            id: `${category}-${String(n).padStart(4, "0")}`,
            category,
            family: familyOf(category, recorded.record),
            label: rng.chance(labelNoise) ? jitterLabel(rng, draft.label) : draft.label,
            request,
            output_tokens: lo + rng.int(hi - lo + 1),
        });
    }
    return items;
}

/** FNV-1a 32-bit: the held-out split is a function of the id alone (stable when the set grows). */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** About 25 % of ids go to the held-out split. */
export const isHeldout = (id: string): boolean => fnv1a(id) % 4 === 0;

export const datasetDir = join(dirname(fileURLToPath(import.meta.url)), "..", "dataset");

export function writeDataset(
    items: readonly DatasetItem[],
    dir = datasetDir,
): { train: number; heldout: number } {
    mkdirSync(dir, { recursive: true });
    const train = items.filter((i) => !isHeldout(i.id));
    const heldout = items.filter((i) => isHeldout(i.id));
    // Gzipped JSON lines: the pasted files and agent transcripts compress ~10×; Node's gzip header carries
    // no timestamp, so the same items write the same bytes.
    const lines = (xs: readonly DatasetItem[]): Buffer =>
        gzipSync(xs.map((x) => JSON.stringify(x)).join("\n") + "\n", { level: 9 });
    writeFileSync(join(dir, "train.jsonl.gz"), lines(train));
    writeFileSync(join(dir, "heldout.jsonl.gz"), lines(heldout));
    return { train: train.length, heldout: heldout.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const items = buildDataset();
    const counts = writeDataset(items);
    const mix = Object.fromEntries(tierNames.map((t) => [t, items.filter((i) => i.label === t).length]));
    console.log(
        `dataset: ${items.length} items (train ${counts.train}, held-out ${counts.heldout}); labels ${JSON.stringify(mix)}`,
    );
}
