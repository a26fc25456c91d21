/**
 * What the providers' transform tests share: wire events as an SDK stream yields them, and the check that
 * a relayed stream (ProviderStreamEvent `native`) is the unrelayed one plus every wire event.
 */
import { expect } from "vitest";
import type { NativeEvent, NativeProtocol, ProviderStreamEvent } from "../../src/chat/types.js";

/** The items as an async stream, one microtask apart (as an SDK's stream yields parsed events). */
export async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
    for (const item of items) {
        await Promise.resolve();
        yield item;
    }
}

/**
 * `relayed` without its native events is `plain` with message_start flagged as relayed for `protocol`,
 * and its native events carry every `wire` event, in order, once. Returns the native events.
 */
export function expectRelayed(
    relayed: readonly ProviderStreamEvent[],
    plain: readonly ProviderStreamEvent[],
    wire: readonly unknown[],
    protocol: NativeProtocol,
): NativeEvent[] {
    expect(relayed.filter((e) => e.type !== "native")).toEqual([
        { ...plain[0], native: { protocol, relayed: true } },
        ...plain.slice(1),
    ]);
    const natives = relayed.flatMap((e) => (e.type === "native" ? [e] : []));
    expect(natives.map((e) => e.data)).toEqual(wire);
    return natives;
}
