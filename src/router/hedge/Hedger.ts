/**
 * The router's hedging state: one TTFT window per target (the recent first tokens of its streamed
 * attempts) and the hedge budget; per streamed request, the hedging that runPlan runs (raceHedge.ts).
 *
 * A target is hedged after its `quantile` TTFT once its window holds `minSamples`. An attempt cancelled
 * without a first token adds its wait as a sample: a lower bound, so that cutting the tail off does not
 * also hide it from the quantile that decides when to cut.
 */
import { costUsd } from "../cost.js";
import type { HedgingConfig } from "../config.js";
import type { ResolvedTarget } from "../plan.js";
import { discardPrimed, type PrimedStream } from "../primeStream.js";
import type { RouteContext } from "../RouteContext.js";
import { HedgeBudget } from "./HedgeBudget.js";
import { raceHedge, type HedgeRunner, type Hedging } from "./raceHedge.js";
import { TtftWindow } from "./TtftWindow.js";

export interface HedgerOptions {
    config: HedgingConfig;
    /** Monotonic milliseconds. */
    now: () => number;
}

export class Hedger {
    readonly #config: HedgingConfig;
    readonly #budget: HedgeBudget;
    readonly #windows = new Map<string, TtftWindow>();

    constructor(options: HedgerOptions) {
        this.#config = options.config;
        this.#budget = new HedgeBudget({
            ratio: options.config.budgetRatio,
            windowMs: options.config.budgetWindowMs,
            now: options.now,
        });
    }

    /** A streamed attempt's first token, `ttftMs` after it started. */
    observe(target: ResolvedTarget, ttftMs: number): void {
        if (!this.#config.enabled) return;
        let window = this.#windows.get(target.key);
        if (!window) {
            window = new TtftWindow(this.#config.windowSamples);
            this.#windows.set(target.key, window);
        }
        window.observe(ttftMs);
    }

    /** How long an attempt on `target` may go without a first token before it is hedged; undefined: never. */
    delayFor(target: ResolvedTarget): number | undefined {
        const window = this.#windows.get(target.key);
        if (!window || window.count < this.#config.minSamples) return undefined;
        return window.quantile(this.#config.quantile);
    }

    /**
     * The hedging of one streamed request, counted in the budget; undefined when hedging is off or the
     * caller marked the request `hints.idempotent: false`.
     */
    forStream(ctx: RouteContext): HedgeRunner<PrimedStream> | undefined {
        if (!this.#config.enabled || ctx.request.hints?.idempotent === false) return undefined;
        this.#budget.admit();
        let claimed = false;
        const hedging: Hedging<PrimedStream> = {
            delayFor: (target) => this.delayFor(target),
            take: () => this.#budget.tryTake(),
            observeCensored: (target, ms) => {
                this.observe(target, ms);
            },
            lostCost: (target) =>
                costUsd(target.price, { input_tokens: ctx.decided.features.contextTokens, output_tokens: 0 }),
            discard: discardPrimed,
            report: (record) => {
                ctx.hedge = record;
            },
        };
        return {
            claim: () => {
                if (claimed) return false;
                claimed = true;
                return true;
            },
            race: (primary, plan, tried, scope, env, attempt) =>
                raceHedge(primary, plan, tried, scope, env, attempt, hedging),
        };
    }
}
