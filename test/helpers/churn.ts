/**
 * Conversations churning through a server, for the fault suite's churn tests: each conversation's turns in
 * order and one at a time (an agent waits for its answer), `concurrency` conversations at once, the next
 * one drawn at random among those free; and the bytes a host KV cache keeps on disk.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";

/** How a client abandons a turn: not at all, before its answer starts, after its first event, at a deadline. */
export type Cancel = "none" | "before" | "after-first" | "deadline";

/** Draws a turn's cancellation: 10 % before, 15 % after the first event, `deadlineShare` at a deadline. */
export function drawCancel(random: () => number, deadlineShare: number): Cancel {
    const roll = random();
    return roll < 0.1
        ? "before"
        : roll < 0.25
          ? "after-first"
          : roll < 0.25 + deadlineShare
            ? "deadline"
            : "none";
}

/** Runs `turns` turns of each of `sessions` conversations; `turn` serves one (session, index). */
export async function churn(options: {
    sessions: number;
    turns: number;
    concurrency: number;
    random: () => number;
    turn: (session: number, index: number) => Promise<void>;
}): Promise<void> {
    const { sessions, turns, random } = options;
    const next = Array<number>(sessions).fill(0);
    const busy = new Set<number>();
    const worker = async () => {
        for (;;) {
            const open = [...Array(sessions).keys()].filter((s) => next[s]! < turns && !busy.has(s));
            if (open.length === 0) return;
            const session = open[Math.floor(random() * open.length)]!;
            busy.add(session);
            await options.turn(session, next[session]!);
            next[session]!++;
            busy.delete(session);
        }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/**
 * Waits until `engine` leases and queues no sequence (at most 5 s), then 300 ms more: draft saves and loads
 * finish after their requests (they follow the drafts' prefills), and an abandoned request's end reaches
 * the engine after its client left.
 */
export async function untilEngineIdle(engine: LocalEngine): Promise<void> {
    const busy = () => engine.slotUsage.inUse > 0 || engine.slotUsage.queued > 0;
    for (let i = 0; i < 200 && busy(); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
}

/** Bytes of the files in a host KV cache's directory: the one subdirectory of `dir` (HostKvCache.create). */
export async function hostCacheBytesOnDisk(dir: string): Promise<number> {
    const [own] = await readdir(dir);
    if (own === undefined) throw new Error(`no host KV cache directory in ${dir}`);
    const path = join(dir, own);
    let total = 0;
    for (const name of await readdir(path)) total += (await stat(join(path, name))).size;
    return total;
}
