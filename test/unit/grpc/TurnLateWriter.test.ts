/**
 * TurnLateWriter's contract (see its header): messages written a turn late and in order, one waiting at a
 * time, flush on demand, back-pressure through "drain", and a drain cut by the signal failing the next write.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { TurnLateWriter } from "../../../src/grpc/TurnLateWriter.js";

/** A stream whose write reports a full buffer while `full` is set; `written` holds the messages' texts. */
class FakeCall extends EventEmitter {
    written: string[] = [];
    full = false;
    write(message: { text: string }): boolean {
        this.written.push(message.text);
        return !this.full;
    }
}

const message = (text: string) => ({ text });

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("TurnLateWriter", () => {
    it("writes each message one turn after it was handed over, in order", async () => {
        const call = new FakeCall();
        const writer = new TurnLateWriter(call, new AbortController().signal);
        await writer.write(message("a"));
        // Microtasks (the engine starting its next pass) run before the write.
        await Promise.resolve();
        expect(call.written).toEqual([]);
        await turn();
        expect(call.written).toEqual(["a"]);
        // A second message handed over before the first's turn writes the first at once.
        await writer.write(message("b"));
        await writer.write(message("c"));
        expect(call.written).toEqual(["a", "b"]);
        writer.flush();
        expect(call.written).toEqual(["a", "b", "c"]);
        // Nothing waiting: flush writes nothing, and the cancelled turn writes nothing either.
        writer.flush();
        await turn();
        expect(call.written).toEqual(["a", "b", "c"]);
    });

    it("holds the next message back until a full buffer drained", async () => {
        const call = new FakeCall();
        const writer = new TurnLateWriter(call, new AbortController().signal);
        call.full = true;
        await writer.write(message("a"));
        await turn();
        expect(call.written).toEqual(["a"]);
        let handedOver = false;
        const next = writer.write(message("b")).then(() => {
            handedOver = true;
        });
        await turn();
        expect(handedOver).toBe(false);
        call.full = false;
        call.emit("drain");
        await next;
        await turn();
        expect(call.written).toEqual(["a", "b"]);
    });

    it("fails the next write with the abort's reason when the signal cuts a drain short", async () => {
        const call = new FakeCall();
        const controller = new AbortController();
        const writer = new TurnLateWriter(call, controller.signal);
        call.full = true;
        await writer.write(message("a"));
        writer.flush();
        const reason = new Error("client cancelled");
        controller.abort(reason);
        await expect(writer.write(message("b"))).rejects.toMatchObject({ name: "AbortError", cause: reason });
        expect(call.written).toEqual(["a"]);
    });

    it("drop discards the waiting message, which its turn then does not write", async () => {
        const call = new FakeCall();
        const writer = new TurnLateWriter(call, new AbortController().signal);
        await writer.write(message("a"));
        writer.drop();
        await turn();
        writer.flush();
        expect(call.written).toEqual([]);
    });
});
