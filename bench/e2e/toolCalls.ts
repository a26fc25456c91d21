/**
 * Tool-call speed: agent-shaped chat requests (a system turn, a task with a code excerpt, four coding-agent
 * tools) on the bundled pair through the gRPC server, streamed, at temperature 0, under each tool mode
 * (tool_choice auto, required, a named tool, and a response_format JSON schema without tools) and each
 * system (OFF, n-gram, draft model, AUTO). Reports per mode and system: decode tokens/s and × OFF, time
 * to the first token and to the complete answer (send to the last chunk, which carries the complete
 * calls; median and p90, and the median × OFF), acceptance (accepted over drafted tokens; drafts the
 * grammar cuts before verification are not counted), the drafter AUTO chose per answer, the finish reasons
 * (tool_calls: a complete call), and how many answers are token-identical to OFF's with the same text
 * and calls (exactness: they all must be; the bench exits 1 otherwise).
 *
 * For each task and mode, OFF runs first and the other systems follow in rotating order, so load drift
 * on a shared machine hits all alike. Prefix reuse is off (a repeated prompt would favour whoever runs it
 * second) and AUTO starts with nothing learned (no state file); it learns over the run, as in service.
 *
 *   npm run bench:tools -- [--tasks 8] [--rounds 1] [--tokens 128] [--json out.json]
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { option } from "../cli.js";
import { createApp } from "../../src/app.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../../src/grpc/loadProto.js";
import { silentLogger } from "../../src/util/logger.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchGpu } from "../benchGpu.js";
import { percentile } from "../percentile.js";
import { benchThreads } from "../threads.js";

const taskCount = Number(option("--tasks", "8"));
const rounds = Number(option("--rounds", "1"));
const maxTokens = Number(option("--tokens", "128"));
const jsonOut = option("--json", "");

const object = (properties: Record<string, unknown>) => ({
    type: "object",
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
});
const tools: GenerateRequest["tools"] = [
    {
        name: "read_file",
        description: "Read lines of a file",
        parameters_json: JSON.stringify(
            object({
                path: { type: "string", maxLength: 32 },
                start: { type: "integer" },
                lines: { type: "integer" },
            }),
        ),
    },
    {
        name: "grep",
        description: "Search the repository for a regular expression",
        parameters_json: JSON.stringify(
            object({ pattern: { type: "string", maxLength: 24 }, path: { type: "string", maxLength: 24 } }),
        ),
    },
    {
        name: "edit_file",
        description: "Replace a line of a file",
        parameters_json: JSON.stringify(
            object({
                path: { type: "string", maxLength: 32 },
                line: { type: "integer" },
                text: { type: "string", maxLength: 48 },
            }),
        ),
    },
    {
        name: "run_tests",
        description: "Run the test suite, or the tests matching a name",
        parameters_json: JSON.stringify(object({ match: { type: "string", maxLength: 24 } })),
    },
];
const reviewSchema = object({
    file: { type: "string", maxLength: 32 },
    line: { type: "integer" },
    severity: { enum: ["info", "warning", "error"] },
    fix: { type: "string", maxLength: 48 },
});

/** Agent tasks, each with a code excerpt the way agents paste context (the bundled pair is a code model). */
const tasks: { ask: string; file: string; code: string }[] = [
    {
        ask: "The loader fails on blank lines. Find the cause and fix it.",
        file: "config.py",
        code: 'def parse_line(text, number):\n    text = text.strip()\n    if "=" not in text:\n        raise ValueError(f"line {number}: expected key = value")\n    key, value = text.split("=", 1)\n    return key.strip(), value.strip()\n',
    },
    {
        ask: "Add a timeout to the fetch helper and run the tests.",
        file: "src/http.ts",
        code: "export async function fetchJson(url: string): Promise<unknown> {\n    const response = await fetch(url);\n    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);\n    return response.json();\n}\n",
    },
    {
        ask: "Where is the cache invalidated? Look before changing anything.",
        file: "cache.go",
        code: "func (c *Cache) Get(key string) (Value, bool) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tentry, ok := c.items[key]\n\tif !ok || entry.expired() {\n\t\treturn Value{}, false\n\t}\n\treturn entry.value, true\n}\n",
    },
    {
        ask: "The off-by-one in the pager drops the last item. Fix it.",
        file: "pager.js",
        code: "function page(items, size, n) {\n    const start = n * size;\n    return items.slice(start, start + size - 1);\n}\nmodule.exports = { page };\n",
    },
    {
        ask: "Rename count_words to word_count everywhere.",
        file: "text_stats.py",
        code: 'def count_words(text):\n    return len(text.split())\n\n\ndef summary(text):\n    return {"words": count_words(text), "chars": len(text)}\n',
    },
    {
        ask: "Tests for the parser fail after the last change; find out why.",
        file: "src/parse.rs",
        code: "pub fn parse_pair(s: &str) -> Option<(i32, i32)> {\n    let (a, b) = s.split_once(',')?;\n    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))\n}\n",
    },
    {
        ask: "Make the retry loop stop after five attempts.",
        file: "retry.ts",
        code: "export async function retry<T>(fn: () => Promise<T>): Promise<T> {\n    for (;;) {\n        try {\n            return await fn();\n        } catch {\n            await new Promise((r) => setTimeout(r, 100));\n        }\n    }\n}\n",
    },
    {
        ask: "Check whether the session id is logged anywhere.",
        file: "server.py",
        code: 'def handle(request):\n    session = request.headers.get("x-session-id")\n    log.info("request %s %s", request.method, request.path)\n    return dispatch(request, session)\n',
    },
];

const modes: { name: string; request: Pick<GenerateRequest, "tools" | "tool_choice" | "response_format"> }[] =
    [
        { name: "tool_choice auto", request: { tools, tool_choice: "" } },
        { name: "tool_choice required", request: { tools, tool_choice: "required" } },
        { name: "tool_choice grep", request: { tools, tool_choice: "grep" } },
        { name: "json schema", request: { response_format: { json_schema: JSON.stringify(reviewSchema) } } },
    ];
const systems: { name: string; speculation: GenerateRequest["speculation"] }[] = [
    { name: "off", speculation: { mode: "SPECULATION_MODE_OFF" } },
    { name: "ngram", speculation: { mode: "SPECULATION_MODE_NGRAM" } },
    { name: "draft", speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "draft" } },
    { name: "auto", speculation: { mode: "SPECULATION_MODE_AUTO" } },
];

function messages(task: (typeof tasks)[number]): GenerateRequest["messages"] {
    return [
        {
            role: "system",
            content:
                "You are a coding agent working in a repository. Use the tools to inspect and change code.",
        },
        { role: "user", content: `${task.ask}\n\n# ${task.file}\n${task.code}` },
    ];
}

/** One streamed answer: what it emitted, the last chunk's stats, and the time from sending to the last chunk. */
interface Answer {
    tokenIds: number[];
    text: string;
    calls: string;
    /** The finish reason without its prefix, e.g. "tool_calls", "eos", "length". */
    finish: string;
    completionTokens: number;
    decodeTokensPerSecond: number;
    drafted: number;
    accepted: number;
    proposer: string;
    /** Send to the first chunk with tokens, and to the last chunk. */
    firstMs: number;
    ms: number;
}

function stream(client: InferenceClient, request: GenerateRequest): Promise<Answer> {
    return new Promise((resolvePromise, reject) => {
        const start = performance.now();
        const tokenIds: number[] = [];
        let text = "";
        let last: GenerateChunk__Output | undefined;
        let firstMs = 0;
        const call = client.GenerateStream(request);
        call.on("data", (chunk: GenerateChunk__Output) => {
            if (firstMs === 0 && chunk.token_ids.length > 0) firstMs = performance.now() - start;
            for (const t of chunk.token_ids) tokenIds.push(t);
            text += chunk.text;
            last = chunk;
        });
        call.on("error", (error: ServiceError) => {
            reject(error);
        });
        call.on("end", () => {
            const ms = performance.now() - start;
            const stats = last?.stats;
            if (!last || !stats) {
                reject(new Error("the stream ended without a final chunk carrying stats"));
                return;
            }
            resolvePromise({
                tokenIds,
                text,
                calls: JSON.stringify(last.tool_calls),
                finish: last.finish_reason.replace("FINISH_REASON_", "").toLowerCase(),
                completionTokens: last.usage?.completion_tokens ?? tokenIds.length,
                decodeTokensPerSecond: stats.decode_tokens_per_second,
                drafted: stats.drafted_tokens,
                accepted: stats.accepted_tokens,
                proposer: stats.proposer,
                firstMs,
                ms,
            });
        });
    });
}

interface Totals {
    tokens: number;
    seconds: number;
    drafted: number;
    accepted: number;
    answers: number;
    finishes: Map<string, number>;
    sameAsOff: number;
    ms: number[];
    firstMs: number[];
    proposers: Map<string, number>;
}

const app = createApp(
    parseConfig(
        {
            models: {
                target: { id: "target", path: bundledModelPath("target") },
                drafts: [{ id: "draft", path: bundledModelPath("draft") }],
            },
            engine: {
                contextSize: 2048,
                sequences: 1,
                gpu: benchGpu,
                prefixReuse: false,
                threads: benchThreads,
            },
            server: { host: "127.0.0.1", grpcPort: 0, metricsPort: 0, httpPort: 0 },
            speculation: { stateFile: null },
        },
        "bench config",
    ),
    { baseDir: "/", createLogger: () => silentLogger },
);
const { grpcAddress } = await app.start();
const client: InferenceClient = new (loadInferenceProto().grpcObject.tiercel.v1.Inference)(
    grpcAddress,
    credentials.createInsecure(),
);
const chosen = tasks.slice(0, taskCount);
const totals = new Map<string, Totals>();
const totalsOf = (mode: string, system: string): Totals => {
    const key = `${mode}\u0000${system}`;
    let t = totals.get(key);
    if (!t) {
        t = {
            tokens: 0,
            seconds: 0,
            drafted: 0,
            accepted: 0,
            answers: 0,
            finishes: new Map(),
            sameAsOff: 0,
            ms: [],
            firstMs: [],
            proposers: new Map(),
        };
        totals.set(key, t);
    }
    return t;
};
const started = performance.now();
try {
    // Warm-up, not measured: one answer per mode with OFF.
    for (const mode of modes)
        await stream(client, {
            messages: messages(chosen[0]!),
            ...mode.request,
            max_tokens: 8,
            speculation: systems[0]!.speculation,
        });
    for (let round = 0; round < rounds; round++) {
        for (const [i, task] of chosen.entries()) {
            for (const mode of modes) {
                let off: Answer | undefined;
                for (let j = 0; j < systems.length; j++) {
                    // OFF first (the others are compared with it), the rest rotating.
                    const system =
                        j === 0 ? systems[0]! : systems[1 + ((i + round + j - 1) % (systems.length - 1))]!;
                    const answer = await stream(client, {
                        messages: messages(task),
                        ...mode.request,
                        max_tokens: maxTokens,
                        temperature: 0,
                        speculation: system.speculation,
                    });
                    off ??= answer;
                    const t = totalsOf(mode.name, system.name);
                    t.answers++;
                    if (answer.completionTokens >= 2 && answer.decodeTokensPerSecond > 0) {
                        t.tokens += answer.completionTokens - 1;
                        t.seconds += (answer.completionTokens - 1) / answer.decodeTokensPerSecond;
                    }
                    t.drafted += answer.drafted;
                    t.accepted += answer.accepted;
                    t.finishes.set(answer.finish, (t.finishes.get(answer.finish) ?? 0) + 1);
                    t.ms.push(answer.ms);
                    t.firstMs.push(answer.firstMs);
                    t.proposers.set(answer.proposer, (t.proposers.get(answer.proposer) ?? 0) + 1);
                    const same =
                        answer.tokenIds.length === off.tokenIds.length &&
                        answer.tokenIds.every((token, k) => token === off!.tokenIds[k]) &&
                        answer.text === off.text &&
                        answer.calls === off.calls;
                    if (same) t.sameAsOff++;
                }
            }
        }
    }
} finally {
    client.close();
    await app.stop();
}

/** `name count, ...` (an empty name is "none"). */
const tally = (counts: ReadonlyMap<string, number>): string =>
    [...counts].map(([name, n]) => `${name === "" ? "none" : name} ${n}`).join(", ");
/** A rate's cell: "–" where no answer had two tokens to time. */
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const cpu = benchGpu
    ? `GPU (${benchGpu})`
    : `CPU, threads ${benchThreads}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`;
console.log(
    `## Tool calls over gRPC: ${chosen.length} agent tasks × ${modes.length} modes × ${rounds} round(s), ` +
        `${maxTokens} tokens max, temperature 0, streamed\n\n` +
        `${cpu}, load average ${loadavg()[0]!.toFixed(2)}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log(
    "| mode | system | tok/s | × OFF | first token ms p50 | complete answer ms p50 / p90 | p50 × OFF | acceptance | AUTO chose | finish | = OFF |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
let exact = true;
const rows: Record<string, unknown>[] = [];
for (const mode of modes) {
    const off = totalsOf(mode.name, "off");
    const offRate = off.tokens / off.seconds;
    const offP50 = percentile(off.ms, 0.5);
    for (const system of systems) {
        const t = totalsOf(mode.name, system.name);
        const rate = t.tokens / t.seconds;
        const p50 = percentile(t.ms, 0.5);
        const p90 = percentile(t.ms, 0.9);
        const firstP50 = percentile(t.firstMs, 0.5);
        const acceptance = t.drafted > 0 ? t.accepted / t.drafted : undefined;
        const chose = system.name === "auto" ? tally(t.proposers) : "";
        if (t.sameAsOff !== t.answers) exact = false;
        console.log(
            `| ${mode.name} | ${system.name} | ${fixed(rate, 1)} | ${fixed(rate / offRate, 2)} | ` +
                `${firstP50.toFixed(0)} | ${p50.toFixed(0)} / ${p90.toFixed(0)} | ${(p50 / offP50).toFixed(2)} | ` +
                `${acceptance === undefined ? "–" : `${acceptance.toFixed(2)} (${t.accepted}/${t.drafted})`} | ` +
                `${chose} | ${tally(t.finishes)} | ${t.sameAsOff}/${t.answers} |`,
        );
        rows.push({
            mode: mode.name,
            system: system.name,
            tokensPerSecond: rate,
            firstTokenMsP50: firstP50,
            completeMsP50: p50,
            completeMsP90: p90,
            acceptance,
            drafted: t.drafted,
            accepted: t.accepted,
            proposers: Object.fromEntries(t.proposers),
            finishes: Object.fromEntries(t.finishes),
            answers: t.answers,
            sameAsOff: t.sameAsOff,
        });
    }
}
if (jsonOut !== "") writeFileSync(jsonOut, JSON.stringify({ cpu, rounds, maxTokens, rows }, null, 2) + "\n");
if (!exact) {
    console.error("speculation changed the output at temperature 0: some answers differ from OFF's");
    process.exitCode = 1;
}
