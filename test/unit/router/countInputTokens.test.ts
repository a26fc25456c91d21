import { describe, expect, it } from "vitest";
import type { Provider, ProviderRequest } from "../../../src/providers/Provider.js";
import { countInputTokens } from "../../../src/router/countInputTokens.js";
import type { ResolvedTarget } from "../../../src/router/plan.js";

/** A provider that learns whether it takes tools only when asked (as the local tier asks ListModels). */
function learningProvider(id: string, takesTools: boolean, count: number): Provider & { asked: number } {
    let known: boolean | undefined;
    const provider = {
        id,
        type: "local" as const,
        asked: 0,
        unsupported: (request: ProviderRequest) =>
            (request.tools?.length ?? 0) === 0 || known === true
                ? undefined
                : known === false
                  ? "no tools"
                  : "not known yet",
        prepare: (request: ProviderRequest) => {
            if (known !== undefined || (request.tools?.length ?? 0) === 0) return undefined;
            provider.asked++;
            return Promise.resolve().then(() => {
                known = takesTools;
            });
        },
        complete: () => Promise.reject(new Error("not called")),
        stream: () => {
            throw new Error("not called");
        },
        countTokens: () => Promise.resolve(count),
        close: () => undefined,
    };
    return provider;
}

const target = (provider: Provider): ResolvedTarget => ({
    tier: provider.id,
    tierIndex: 0,
    provider,
    model: "m",
    key: `${provider.id}/m`,
    settings: { maxRetries: 0, attemptTimeoutMs: 1_000, firstTokenTimeoutMs: 1_000, ttftBudgetMs: null },
    breaker: undefined,
    price: undefined,
});

const withTools = {
    messages: [{ role: "user" as const, content: "read a.py" }],
    tools: [{ name: "read", input_schema: { type: "object" } }],
};

/** The count of a request with tools over a plan of these providers, in order. */
const countWithTools = (...providers: Provider[]) =>
    countInputTokens(providers.map(target), withTools, 10, new AbortController().signal);

describe("countInputTokens", () => {
    it("lets a provider that does not know yet learn before judging the request, as the plan does", async () => {
        const local = learningProvider("local", true, 42);
        const hosted = learningProvider("hosted", true, 99);
        const count = await countWithTools(local, hosted);
        expect(count).toEqual({
            input_tokens: 42,
            exact: true,
            counted_by: "local/m",
            estimate_reason: null,
        });
        expect(local.asked).toBe(1);
        // Known now: not asked again.
        await countWithTools(local);
        expect(local.asked).toBe(1);
    });

    it("passes a target that learns it cannot take the request", async () => {
        const local = learningProvider("local", false, 42);
        const hosted = learningProvider("hosted", true, 99);
        const count = await countWithTools(local, hosted);
        expect(count.counted_by).toBe("hosted/m");
    });
});
