/**
 * PassBatcher's schedule with passes whose ends the test controls: passes submitted while others are in
 * flight start together once every in-flight pass has delivered; a long pass is not waited for; a
 * failing pass rejects its caller only and does not stall the others.
 */
import { describe, expect, it } from "vitest";
import { PassBatcher } from "../../../src/engine/PassBatcher.js";

/** A pass whose start is recorded and whose end the test triggers. */
function controlledPass(started: string[], name: string) {
    let end!: (value: string) => void;
    let fail!: (error: Error) => void;
    const pass = () => {
        started.push(name);
        return new Promise<string>((resolve, reject) => {
            end = resolve;
            fail = reject;
        });
    };
    return {
        pass,
        end: () => {
            end(name);
        },
        fail: (e: Error) => {
            fail(e);
        },
    };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("PassBatcher", () => {
    it("holds passes submitted during a flush and starts them together after it delivered", async () => {
        const batcher = new PassBatcher(9);
        const started: string[] = [];
        const a = controlledPass(started, "a");
        const b = controlledPass(started, "b");
        const ra = batcher.run(a.pass, 1, 0);
        const rb = batcher.run(b.pass, 1, 1);
        await turn();
        expect(started).toEqual(["a", "b"]);
        expect(batcher.flushes).toBe(1);

        // a delivers first and submits its next pass at once; c arrives meanwhile: both wait for b.
        a.end();
        const a2 = controlledPass(started, "a2");
        const c = controlledPass(started, "c");
        const ra2 = (await ra).value === "a" ? batcher.run(a2.pass, 1, 0) : undefined;
        const rc = batcher.run(c.pass, 2, 2);
        await turn();
        await turn();
        expect(started).toEqual(["a", "b"]);

        b.end();
        expect(await rb).toMatchObject({ value: "b", passes: 2 });
        await turn();
        expect(started).toEqual(["a", "b", "a2", "c"]);
        expect(batcher.flushes).toBe(2);
        a2.end();
        c.end();
        // The batch's size in tokens, and what of it the other requests' steps put in.
        expect(await ra2).toMatchObject({ value: "a2", passes: 2, tokens: 3, otherStepTokens: 2 });
        expect(await rc).toMatchObject({ value: "c", passes: 2, tokens: 3, otherStepTokens: 1 });
        expect(batcher.passes).toBe(4);
    });

    it("starts a flush's passes in ascending sequence id, whatever order they were submitted in", async () => {
        const batcher = new PassBatcher(9);
        const started: string[] = [];
        const first = controlledPass(started, "first");
        const rFirst = batcher.run(first.pass, 1, 5);
        await turn();
        // Submitted while `first` is in flight, in descending and shuffled order: held for the next flush.
        const ids = [7, 3, 6, 0, 2];
        const held = ids.map((id) => controlledPass(started, `seq ${id}`));
        const results = held.map((p, i) => batcher.run(p.pass, 1, ids[i]!));
        await turn();
        first.end();
        await rFirst;
        await turn();
        expect(started).toEqual(["first", "seq 0", "seq 2", "seq 3", "seq 6", "seq 7"]);
        for (const p of held) p.end();
        await Promise.all(results);
    });

    it("a pass alone in its flush reports passes 1 and its own duration", async () => {
        const batcher = new PassBatcher(9);
        const result = await batcher.run(() => Promise.resolve(7), 3, 0);
        expect(result.value).toBe(7);
        expect(result).toMatchObject({ passes: 1, tokens: 3, otherStepTokens: 0, besideLong: false });
        expect(result.ms).toBeGreaterThanOrEqual(0);
    });

    it("does not wait for a long pass (a prompt) before the next flush", async () => {
        const batcher = new PassBatcher(4);
        const started: string[] = [];
        const prompt = controlledPass(started, "prompt");
        const step = controlledPass(started, "step");
        void batcher.run(prompt.pass, 200, 0);
        const first = batcher.run(step.pass, 1, 1);
        await turn();
        step.end();
        // The prompt's tokens are in the batch's size; what recurs is its request's first step.
        expect(await first).toMatchObject({ tokens: 201, otherStepTokens: 1, besideLong: false });
        const next = controlledPass(started, "next");
        const rn = batcher.run(next.pass, 1, 1);
        await turn();
        expect(started).toEqual(["prompt", "step", "next"]);
        next.end();
        prompt.end();
        // Started while the prompt was still decoding: its time is partly the prompt's.
        expect(await rn).toMatchObject({ value: "next", passes: 1, tokens: 1, besideLong: true });
        const after = await batcher.run(() => Promise.resolve("after"), 1, 0);
        expect(after.besideLong).toBe(false);
    });

    it("starts a flush at once when every request that entered has a pass held, else a turn later", async () => {
        const batcher = new PassBatcher(9);
        const started: string[] = [];
        // No request entered: the batcher cannot know who may still submit, and waits a turn.
        const alone = controlledPass(started, "alone");
        const rAlone = batcher.run(alone.pass, 1, 0);
        await Promise.resolve();
        expect(started).toEqual([]);
        await turn();
        expect(started).toEqual(["alone"]);
        alone.end();
        await rAlone;

        // One request entered: its pass is everything there is to batch, and starts before the turn.
        batcher.enter();
        const solo = controlledPass(started, "solo");
        const rSolo = batcher.run(solo.pass, 1, 0);
        await Promise.resolve();
        expect(started).toEqual(["alone", "solo"]);
        solo.end();
        await rSolo;

        // Two entered: the first pass waits for the second, which starts both at once.
        batcher.enter();
        const a = controlledPass(started, "a");
        const b = controlledPass(started, "b");
        const ra = batcher.run(a.pass, 1, 0);
        await Promise.resolve();
        expect(started).toEqual(["alone", "solo"]);
        const rb = batcher.run(b.pass, 1, 1);
        await Promise.resolve();
        expect(started).toEqual(["alone", "solo", "a", "b"]);
        a.end();
        b.end();
        expect(await ra).toMatchObject({ passes: 2 });
        await rb;

        // A request evaluating its prompt (a long pass) submits nothing else meanwhile: not waited for.
        const prompt = controlledPass(started, "prompt");
        const rPrompt = batcher.run(prompt.pass, 100, 0);
        await Promise.resolve();
        const step = controlledPass(started, "step");
        const rStep = batcher.run(step.pass, 1, 1);
        await Promise.resolve();
        expect(started.slice(-2)).toEqual(["prompt", "step"]);
        step.end();
        await rStep;

        // One of two leaves while the other's pass is held for it: that pass starts when it leaves.
        const held = controlledPass(started, "held");
        prompt.end();
        await rPrompt;
        const rHeld = batcher.run(held.pass, 1, 1);
        await Promise.resolve();
        expect(started.at(-1)).toBe("step");
        batcher.leave();
        await Promise.resolve();
        expect(started.at(-1)).toBe("held");
        held.end();
        await rHeld;
        batcher.leave();
    });

    it("a failing pass rejects its caller and the others still flush", async () => {
        const batcher = new PassBatcher(9);
        const started: string[] = [];
        const bad = controlledPass(started, "bad");
        const ok = controlledPass(started, "ok");
        const rBad = batcher.run(bad.pass, 1, 0);
        const rOk = batcher.run(ok.pass, 1, 1);
        await turn();
        bad.fail(new Error("decode failed"));
        await expect(rBad).rejects.toThrow("decode failed");
        ok.end();
        await rOk;
        const after = await batcher.run(() => Promise.resolve("after"), 1, 0);
        expect(after.value).toBe("after");

        const thrown = batcher.run(
            () => {
                throw new Error("thrown at once");
            },
            1,
            0,
        );
        await expect(thrown).rejects.toThrow("thrown at once");
    });
});
