/**
 * A coding agent's sub-agents through the gRPC server: sessions that share a long system prompt and
 * differ after it (each its own task and file), launched together (20 ms apart), then served turn by turn
 * round-robin, then one starting while another generates. Then a fleet of twice as many sessions as
 * sequences, round-robin, with the host KV cache (src/engine/HostKvCache.ts) and, on a second server,
 * without it. Measured by the client in one run: time to first token of later turns against the cold
 * first turn, how much of each prompt was reused, copied from a sibling's sequence (chooseSlot.ts) or
 * loaded from the host cache. Goal: later turns ≥ 5× lower TTFT than cold ones, as for one session.
 *
 *   node --import tsx bench/e2e/subAgents.ts [--agents 3] [--rounds 4] [--system-tokens 2000]
 *        [--tail-tokens 800]
 *
 * Default config (bundled pair, four sequences, AUTO) with engine.contextSize raised to fit the prompts.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { readEvalPrompts } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";
import { startServedBench } from "../startServedBench.js";
import { median } from "../percentile.js";

export interface SubAgentsOptions {
    agents: number;
    rounds: number;
    systemTokens: number;
    tailTokens: number;
}

interface Turn {
    ttftMs: number;
    promptTokens: number;
    reused: number;
    copied: number;
    restored: number;
}

/** A fleet of more sessions than sequences, round-robin: later turns with and without the host cache. */
export interface FleetResult {
    sessions: number;
    /** Median client TTFT of later turns, with the host cache and without it (another server). */
    laterTtftMs: number;
    laterTtftMsWithoutHostCache: number;
    /** Share of later turns' prompt tokens loaded from the host cache, and reused without it. */
    restoredShare: number;
    reusedShareWithoutHostCache: number;
}

export interface SubAgentsResult extends SubAgentsOptions {
    /** Client TTFT of the first agent's first turn (nothing cached). */
    coldTtftMs: number;
    /** Median client TTFT of the other agents' first turns (the shared system prompt cached by a sibling). */
    siblingFirstTtftMs: number;
    /** Median client TTFT of the later turns (a short user message added each time). */
    laterTtftMs: number;
    speedup: number;
    /** Share of later turns' prompt tokens reused. */
    laterReusedShare: number;
    /** Tokens copied from a sibling's sequence over the first turns. */
    copiedFirstTurns: number;
    /** A sub-agent starting while another generates: TTFT, reused and copied tokens. */
    staggered: Turn;
    fleet: FleetResult;
    table: string;
}

export async function runSubAgents(options: SubAgentsOptions): Promise<SubAgentsResult> {
    const { agents, rounds, systemTokens, tailTokens } = options;
    const loaded = loadConfig(undefined);
    const contextSize = Math.max(
        loaded.config.engine.contextSize,
        systemTokens + tailTokens + rounds * 32 + 256,
    );
    const start = async (hostCache: boolean) => {
        const { engine: defaults } = loaded.config;
        const config = parseConfig(
            {
                ...loaded.config,
                engine: {
                    ...defaults,
                    contextSize,
                    threads: benchThreads,
                    hostCache: { ...defaults.hostCache, ...(!hostCache && { maxBytes: 0 }) },
                },
                speculation: { ...loaded.config.speculation, stateFile: null },
                server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0, httpPort: 0 },
            },
            "bench config",
        );
        const served = await startServedBench(config, loaded.baseDir);
        return { ...served, config, engine: served.app.engine! };
    };
    const { config, client, engine, stop } = await start(true);
    try {
        // Held-out code: the first stretch is the shared system prompt, the next ones the agents' files.
        const text = readEvalPrompts()
            .map((p) => p.prompt)
            .join("\n");
        const tokens = engine.tokenize(text);
        const need = systemTokens + (agents + 1) * tailTokens;
        if (tokens.length < need)
            throw new Error(`held-out prompts hold ${tokens.length} tokens, need ${need}`);
        const piece = (from: number, count: number) => engine.detokenize(tokens.slice(from, from + count));
        const system = `You are a sub-agent of a coding agent. Follow the repository's conventions.\n${piece(0, systemTokens)}`;
        const conversations = Array.from({ length: agents + 1 }, (_, a) => [
            { role: "system", content: system },
            {
                role: "user",
                content: `Task ${a}: review this file.\n${piece(systemTokens + a * tailTokens, tailTokens)}`,
            },
        ]);
        const request = (a: number, maxTokens = 4): GenerateRequest => ({
            messages: conversations[a],
            max_tokens: maxTokens,
            session_id: `sub-agent-${a}`,
        });

        // The fleet is launched together (an agent's parallel task calls: 20 ms apart), then served
        // turn by turn round-robin.
        const cold = await Promise.all(
            Array.from({ length: agents }, async (_, a) => {
                await new Promise((resolve) => setTimeout(resolve, a * launchGapMs));
                return stream(client, request(a)).done;
            }),
        );
        const later: Turn[] = [];
        for (let round = 0; round < rounds; round++) {
            for (let a = 0; a < agents; a++) {
                const turn = round === 0 ? cold[a]! : await stream(client, request(a)).done;
                if (round > 0) later.push(turn);
                conversations[a]!.push(
                    { role: "assistant", content: turn.text || "ok" },
                    { role: "user", content: `Now check case ${round}.` },
                );
            }
        }
        // One more sub-agent starts while the first generates a longer answer.
        const running = stream(client, request(0, 64));
        await running.first;
        const staggered = await stream(client, request(agents)).done;
        await running.done;

        // A fleet of twice as many sessions as sequences (their files are the agents' again, under other
        // task lines): every later turn finds its sequence taken by another session.
        const sessions = 2 * config.engine.sequences;
        const fleetConversations = () =>
            Array.from({ length: sessions }, (_, f) => [
                { role: "system", content: system },
                {
                    role: "user",
                    content: `Fleet task ${f}: review this file.\n${piece(systemTokens + (f % (agents + 1)) * tailTokens, tailTokens)}`,
                },
            ]);
        const fleetWith = await runFleet(client, fleetConversations(), rounds);
        const other = await start(false);
        let fleetWithout: Turn[];
        try {
            fleetWithout = await runFleet(other.client, fleetConversations(), rounds);
        } finally {
            await other.stop();
        }
        const share = (turns: Turn[], part: (t: Turn) => number) =>
            turns.reduce((s, t) => s + part(t), 0) / turns.reduce((s, t) => s + t.promptTokens, 0);
        const fleet: FleetResult = {
            sessions,
            laterTtftMs: median(fleetWith.map((t) => t.ttftMs)),
            laterTtftMsWithoutHostCache: median(fleetWithout.map((t) => t.ttftMs)),
            restoredShare: share(fleetWith, (t) => t.restored),
            reusedShareWithoutHostCache: share(fleetWithout, (t) => t.reused),
        };

        const coldTtftMs = cold[0]!.ttftMs;
        const siblingFirstTtftMs = median(cold.slice(1).map((t) => t.ttftMs));
        const reusedOf = (turns: Turn[]) => turns.map((t) => `${t.reused} of ${t.promptTokens}`).join(", ");
        const laterTtftMs = median(later.map((t) => t.ttftMs));
        const laterReusedShare =
            later.reduce((s, t) => s + t.reused, 0) / later.reduce((s, t) => s + t.promptTokens, 0);
        const copiedFirstTurns = cold.reduce((s, t) => s + t.copied, 0);
        const table = [
            `## Sub-agents over gRPC — ${agents} sessions, ${systemTokens}-token shared system prompt, ${tailTokens}-token private files, ${rounds} rounds round-robin, default config (bundled pair, ${config.engine.sequences} sequences)`,
            "",
            "| turns | median client TTFT ms | prompt tokens reused | of them copied from a sibling |",
            "| --- | --- | --- | --- |",
            `| first turns, launched ${launchGapMs} ms apart: the first (nothing cached) | ${coldTtftMs.toFixed(1)} | ${reusedOf(cold.slice(0, 1))} | ${cold[0]!.copied} |`,
            `| the others (they wait for its prompt pass and copy the shared part) | ${siblingFirstTtftMs.toFixed(1)} | ${reusedOf(cold.slice(1))} | ${cold
                .slice(1)
                .map((t) => t.copied)
                .join(", ")} |`,
            `| later | ${laterTtftMs.toFixed(1)} | ${(100 * laterReusedShare).toFixed(1)} % of prompt tokens | ${later.reduce((s, t) => s + t.copied, 0)} |`,
            `| **nothing cached ÷ later** | **${(coldTtftMs / laterTtftMs).toFixed(1)}×** | | |`,
            `| one starting while another generates | ${staggered.ttftMs.toFixed(1)} | ${staggered.reused} of ${staggered.promptTokens} | ${staggered.copied} |`,
            "",
            `### A fleet of ${sessions} sessions on ${config.engine.sequences} sequences, ${rounds} rounds round-robin (each later turn finds its sequence taken)`,
            "",
            "| later turns | median client TTFT ms | prompt tokens reused |",
            "| --- | --- | --- |",
            `| without the host KV cache (engine.hostCache.maxBytes 0) | ${fleet.laterTtftMsWithoutHostCache.toFixed(1)} | ${(100 * fleet.reusedShareWithoutHostCache).toFixed(1)} % (the shared system prompt) |`,
            `| with it (default): each conversation loaded back | ${fleet.laterTtftMs.toFixed(1)} | ${(100 * fleet.restoredShare).toFixed(1)} % loaded from the host cache |`,
            `| **without ÷ with** | **${(fleet.laterTtftMsWithoutHostCache / fleet.laterTtftMs).toFixed(1)}×** | |`,
        ].join("\n");
        return {
            ...options,
            coldTtftMs,
            siblingFirstTtftMs,
            laterTtftMs,
            speedup: coldTtftMs / laterTtftMs,
            laterReusedShare,
            copiedFirstTurns,
            staggered,
            fleet,
            table,
        };
    } finally {
        await stop();
    }
}

/** `rounds` turns of each conversation, round-robin; returns the turns after the first round. */
async function runFleet(
    client: InferenceClient,
    conversations: { role: string; content: string }[][],
    rounds: number,
): Promise<Turn[]> {
    const later: Turn[] = [];
    for (let round = 0; round < rounds; round++) {
        for (const [f, messages] of conversations.entries()) {
            const turn = await stream(client, { messages, max_tokens: 4, session_id: `fleet-${f}` }).done;
            if (round > 0) later.push(turn);
            messages.push(
                { role: "assistant", content: turn.text || "ok" },
                { role: "user", content: `Now check case ${round}.` },
            );
        }
    }
    return later;
}

/** One GenerateStream: `first` when the first tokens arrive, `done` with the turn's figures and text. */
function stream(
    client: InferenceClient,
    request: GenerateRequest,
): { first: Promise<void>; done: Promise<Turn & { text: string }> } {
    const startedAt = performance.now();
    let ttftMs = 0;
    let text = "";
    let markFirst!: () => void;
    const first = new Promise<void>((resolve) => (markFirst = resolve));
    const done = (async () => {
        let last: GenerateChunk__Output | undefined;
        for await (const chunk of client.GenerateStream(request) as AsyncIterable<GenerateChunk__Output>) {
            if (ttftMs === 0 && chunk.token_ids.length > 0) {
                ttftMs = performance.now() - startedAt;
                markFirst();
            }
            text += chunk.text;
            last = chunk;
        }
        markFirst();
        if (!last?.stats || !last.usage) throw new Error("the stream ended without final stats");
        return {
            ttftMs: ttftMs || performance.now() - startedAt,
            promptTokens: last.usage.prompt_tokens,
            reused: last.stats.prompt_tokens_reused,
            copied: last.stats.prompt_tokens_copied,
            restored: last.stats.prompt_tokens_restored,
            text,
        };
    })();
    return { first, done };
}

/** Gap between the launches of the fleet's first turns. */
const launchGapMs = 20;

if (import.meta.filename === process.argv[1]) {
    const result = await runSubAgents({
        agents: Number(option("--agents", "3")),
        rounds: Number(option("--rounds", "4")),
        systemTokens: Number(option("--system-tokens", "2000")),
        tailTokens: Number(option("--tail-tokens", "800")),
    });
    console.log(result.table);
    console.log(`\nCPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}; engine threads ${benchThreads}`);
    const file = resolve(import.meta.dirname, "../results/subAgents");
    const { table: _table, ...figures } = result;
    writeFileSync(
        `${file}.json`,
        JSON.stringify(
            { bench: "subAgents", at: new Date().toISOString(), cpu: cpus()[0]?.model, ...figures },
            null,
            2,
        ),
    );
    writeFileSync(`${file}.md`, result.table + "\n");
}
