/**
 * A burst of parallel requests on a local-only gateway (`npm start` with no hosted keys), as Claude Code's
 * sub-agents send them: what the engine's queue cannot take is answered "overloaded" in each protocol's
 * own shape (Anthropic 529, OpenAI 503), never a server error, and the burst does not open the local
 * tier's breaker: once it has passed, requests are served again at once (session 18 found a burst of 80
 * turning into 30 s of failures for everyone, answered 500).
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicClient, openaiClient, pythonPrompt } from "../helpers/gatewayFixture.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let server: TestServer;
beforeAll(async () => {
    // One sequence and one waiting request: a burst of 16 overflows it at once.
    server = await startTestServer({ engine: { sequences: 1, maxQueue: 1 } });
});
afterAll(async () => {
    await server.close();
});

const message = (i: number) => ({
    model: "auto",
    max_tokens: 48,
    system: pythonPrompt.system,
    messages: [{ role: "user" as const, content: `${pythonPrompt.user} # ${i}` }],
});

describe("a burst beyond the local tier's queue", () => {
    it("is answered 529 overloaded (Anthropic) for what it sheds, then the tier serves again", async () => {
        const client = anthropicClient(server.addresses.gatewayUrl);
        const outcomes = await Promise.allSettled(
            Array.from({ length: 16 }, (_, i) => client.messages.create(message(i))),
        );
        const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
        expect(refused.length).toBeGreaterThan(0);
        for (const error of refused) {
            expect(error).toBeInstanceOf(Anthropic.APIError);
            const apiError = error as InstanceType<typeof Anthropic.APIError>;
            expect(apiError.status).toBe(529);
            expect(apiError.error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
            expect(apiError.message).toMatch(/sequences are busy/);
        }
        expect(outcomes.length - refused.length).toBeGreaterThan(0);

        // The breaker stayed closed: sequential requests are served (OpenAI's face too).
        for (let i = 0; i < 3; i++) {
            const answer = await client.messages.create(message(100 + i));
            expect(answer.content[0]).toMatchObject({ type: "text" });
        }
        const completion = await openaiClient(server.addresses.gatewayUrl).chat.completions.create({
            model: "auto",
            max_completion_tokens: 8,
            messages: [{ role: "user", content: pythonPrompt.user }],
        });
        expect(completion.choices[0]?.message.role).toBe("assistant");
    });

    it("is answered 503 in OpenAI's shape for what it sheds", async () => {
        const client = openaiClient(server.addresses.gatewayUrl);
        const outcomes = await Promise.allSettled(
            Array.from({ length: 16 }, (_, i) =>
                client.chat.completions.create({
                    model: "auto",
                    max_completion_tokens: 48,
                    messages: [{ role: "user", content: `${pythonPrompt.user} # ${i}` }],
                }),
            ),
        );
        const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
        expect(refused.length).toBeGreaterThan(0);
        for (const error of refused) {
            expect(error).toBeInstanceOf(OpenAI.APIError);
            expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
        }
    });
});
