/**
 * Gathers the passes that concurrent requests make on one context into one native batch.
 *
 * node-llama-cpp queues each sequence's evaluation and decodes what is queued on the next event-loop
 * turn; while a batch is in flight it keeps decoding whatever was queued meanwhile, as soon as the batch
 * ends. A pass's results reach its caller only after the sampling of each requested position, which runs
 * on the libuv pool and completes one sequence at a time. Left alone, the first sequence back queues its
 * next pass before the others have their results, and that pass is decoded with only the few that were
 * as quick: the requests drift apart and each step costs several native decodes. Measured on the bundled
 * pair, 4 concurrent requests without speculation: 2.1 sequences per decode instead of 4, 2× the decodes.
 *
 * The batcher holds each submitted pass until every pass of the previous flush has delivered its result
 * to its caller, and one event-loop turn more (`setImmediate`), so that callers continuing in microtasks
 * (emit a chunk, choose the next draft) submit their next pass first; then it starts all held passes in
 * one synchronous loop, and node-llama-cpp decodes them as one batch. A caller busy elsewhere (a draft
 * model's passes, a consumer not reading) is not waited for: its pass joins the next flush. Nor is a long
 * pass (a prompt): it starts with a flush, but the flushes after it do not wait for its end, so the other
 * requests keep decoding beside it instead of stalling for its whole evaluation.
 *
 * Requests say when they may submit passes (`enter` when a request takes its slot, `leave` when it lets it
 * go). When every one of them has a pass held or a long pass in flight, nobody is left to wait for, and the
 * flush starts at once instead of an event-loop turn later: a turn runs whatever I/O is ready first (a
 * gRPC stream's writes and acknowledgements), and a lone request over gRPC waited 70 µs a step for it (17
 * µs in process) while the target sat idle. With no request entered (a batcher used on its own) every
 * flush waits its turn. A pass from a request that has left (a draft's last prefill chunk) can start a
 * flush before a member's pass arrives; that pass joins the next flush, as a busy caller's does.
 *
 * A flush starts its passes in ascending sequence id. llama.cpp (kv_unified off, as node-llama-cpp 3.x
 * creates every context) splits a batch of several sequences into micro-batches, each a run of
 * consecutive sequence ids met in increasing batch order, and node-llama-cpp fills the batch in the
 * order its sequences queued. Started in the order they were submitted, a 16-stream load's batches split
 * into 5.3 micro-batches each on average (7.5 with AUTO; bench/microBatches.ts replays the split), and
 * every micro-batch costs a whole pass over the weights (CPU, bundled target: 32 sequences × 1 token in
 * descending order 2.9× the ascending cost; on a GPU the ratio is about the number of micro-batches).
 */

/**
 * node-llama-cpp's `batching.dispatchSchedule` for a context whose passes start from a PassBatcher's flush:
 * the flush starts them all in one synchronous loop, each reaching node-llama-cpp's queue in microtasks
 * (its locks), so the decode is dispatched once those have run (`process.nextTick` runs after the
 * microtask queue drains) rather than on the next event-loop turn (its default, `setImmediate`), which
 * first ran the I/O that was ready: 60–140 µs a step on one gRPC stream, the target idle meanwhile. A
 * pass started on its own (a warm-up's timed pass) is dispatched the same way.
 */
export function dispatchAfterMicrotasks(dispatch: () => void): void {
    process.nextTick(dispatch);
}

/** A pass's result, with what its timing measured. */
export interface BatchedPass<T> {
    value: T;
    /**
     * Passes started in the same flush as this one. 1: no other request's pass started with it (a long
     * pass started by an earlier flush may still be decoding beside it).
     */
    passes: number;
    /** Tokens of all passes started in the same flush, this one's included: the batch's size. */
    tokens: number;
    /**
     * What the other passes in the same flush will put into the next one: a short pass's tokens (a
     * decoding step, which recurs at that request's next step), 1 for a long pass (a prompt, followed by
     * that request's first step of at least one token).
     */
    otherStepTokens: number;
    /** A long pass started by an earlier flush was still decoding when this one started. */
    besideLong: boolean;
    /** Milliseconds from the pass's start (not its submission) to its result. */
    ms: number;
}

/** What a flush tells each pass it starts. */
interface Flush {
    passes: number;
    tokens: number;
    stepTokens: number;
    besideLong: boolean;
}

interface HeldPass {
    tokens: number;
    long: boolean;
    /** The pass's sequence id: a flush starts its passes in ascending order of it. */
    order: number;
    start: (flush: Flush) => void;
}

export class PassBatcher {
    #held: HeldPass[] = [];
    /** Passes started whose result has not yet been delivered. */
    #inFlight = 0;
    /** Long passes started whose result has not yet been delivered. */
    #longInFlight = 0;
    #flushScheduled = false;
    /** Requests that may submit passes now (`enter` … `leave`). */
    #members = 0;
    /** Flushes so far and the passes they started (passes ÷ flushes: how well requests share batches). */
    flushes = 0;
    passes = 0;

    constructor(
        /** Passes of more tokens than this are long: the next flush does not wait for their end. */
        readonly longPassTokens: number,
    ) {}

    /**
     * Runs `pass` (one evaluation of `tokens` tokens on the batcher's context, on the sequence with id
     * `sequenceId`) together with the other requests' current passes.
     */
    run<T>(pass: () => Promise<T>, tokens: number, sequenceId: number): Promise<BatchedPass<T>> {
        const long = tokens > this.longPassTokens;
        return new Promise<BatchedPass<T>>((resolve, reject) => {
            const start = (flush: Flush): void => {
                const startedAt = performance.now();
                if (long) this.#longInFlight++;
                else this.#inFlight++;
                const done = (): void => {
                    if (long) {
                        this.#longInFlight--;
                        return;
                    }
                    this.#inFlight--;
                    if (this.#inFlight === 0) this.#scheduleFlush();
                };
                const batched = {
                    passes: flush.passes,
                    tokens: flush.tokens,
                    otherStepTokens: flush.stepTokens - (long ? 1 : tokens),
                    besideLong: flush.besideLong,
                };
                // A pass that throws at once rejects like one that fails later.
                Promise.resolve()
                    .then(pass)
                    .finally(done)
                    .then((value) => {
                        resolve({ value, ...batched, ms: performance.now() - startedAt });
                    }, reject);
            };
            this.#held.push({ tokens, long, order: sequenceId, start });
            if (this.#inFlight === 0) this.#scheduleFlush();
        });
    }

    /** A request that may submit passes from now on took its slot (see the header). */
    enter(): void {
        this.#members++;
    }

    /** A request that `enter`ed submits no more passes. */
    leave(): void {
        this.#members--;
        if (this.#inFlight === 0) this.#scheduleFlush();
    }

    #scheduleFlush(): void {
        if (this.#held.length === 0) return;
        // Every request's pass is here (or its prompt is being evaluated): nobody to wait a turn for.
        if (this.#members > 0 && this.#held.length + this.#longInFlight >= this.#members) {
            this.#flush();
            return;
        }
        if (this.#flushScheduled) return;
        this.#flushScheduled = true;
        setImmediate(() => {
            this.#flushScheduled = false;
            this.#flush();
        });
    }

    #flush(): void {
        if (this.#inFlight > 0 || this.#held.length === 0) return;
        const held = this.#held;
        this.#held = [];
        this.flushes++;
        this.passes += held.length;
        const flush: Flush = {
            passes: held.length,
            tokens: 0,
            stepTokens: 0,
            besideLong: this.#longInFlight > 0,
        };
        for (const p of held) {
            flush.tokens += p.tokens;
            flush.stepTokens += p.long ? 1 : p.tokens;
        }
        // In place: the held list is this flush's own.
        held.sort(bySequence);
        for (const p of held) p.start(flush);
    }
}

const bySequence = (a: HeldPass, b: HeldPass): number => a.order - b.order;
