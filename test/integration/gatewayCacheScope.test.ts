/**
 * Tenants do not share the local tier's KV cache through the gateway: each gateway key is its own cache
 * scope (GenerateRequest.cache_scope), so a prompt another key sent a moment ago is evaluated again, not
 * reused or copied, and cache reads in usage (and time to first token) say nothing of other tenants'
 * prompts. The same key's next request still reuses its prefix. Official Anthropic SDK, real local tier.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ChatPrompts } from "../../src/engine/ChatPrompts.js";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicClient, startTestGateway } from "../helpers/gatewayFixture.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

const keyA = "tenant-a-key-0123456789";
const keyB = "tenant-b-key-0123456789";

let server: TestServer;
let router: Router;
let gateway: Gateway;
beforeAll(async () => {
    server = await startTestServer({ engine: { threads: 1, sequences: 3 } });
    router = createRouter(
        {
            providers: { local: { type: "local", address: server.addresses.grpcAddress } },
            tiers: [{ name: "local", targets: [{ provider: "local", model: "t" }] }],
            cache: { enabled: false },
        },
        { logger: silentLogger },
    );
    gateway = await startTestGateway(router, { keys: [keyA, keyB] });
});
afterAll(async () => {
    await gateway.close();
    await router.close();
    await server.close();
});

const system =
    "You are tenant-private tooling. Review the code you are given and answer with code only.\n".repeat(3);

async function ask(key: string, user: string) {
    const message = await anthropicClient(gateway.url, key).messages.create({
        model: "local",
        max_tokens: 4,
        system,
        messages: [{ role: "user", content: user }],
    });
    return message.usage;
}

it("a key reuses its own cached prompt, never another key's, and copies only from its own", async () => {
    const first = await ask(keyA, "def parse(line):");
    expect(first.cache_read_input_tokens ?? 0).toBe(0);
    const again = await ask(keyA, "def parse(line):");
    expect(again.cache_read_input_tokens).toBe(again.input_tokens + again.cache_read_input_tokens! - 1);
    // Tenant B sends the very same prompt, then one sharing the long system prompt: nothing is reused.
    const other = await ask(keyB, "def parse(line):");
    expect(other.cache_read_input_tokens ?? 0).toBe(0);
    const sibling = await ask(keyB, "class Lexer:");
    const prompt = sibling.input_tokens + (sibling.cache_read_input_tokens ?? 0);
    // B's own first request is its cache now: the system prompt is B's to reuse (copied into a free
    // sequence, keeping B's first conversation), and only that.
    expect(sibling.cache_read_input_tokens ?? 0).toBeGreaterThan(0);
    expect(sibling.cache_read_input_tokens ?? 0).toBeLessThan(prompt);
    // A's cache was not touched by B.
    const back = await ask(keyA, "def parse(line):");
    expect(back.input_tokens).toBe(1);
    const metrics = await server.metricsText();
    // The one copy was B's system prompt from B's own sequence.
    const copied = Number(/^tiercel_prompt_tokens_copied_total (\d+)$/m.exec(metrics)?.[1]);
    expect(copied).toBe(sibling.cache_read_input_tokens);
});

it("counts tokens in the key's scope too (the chat renderer's remembered text runs are per scope)", async () => {
    const render = vi.spyOn(ChatPrompts.prototype, "render");
    try {
        const counted = await anthropicClient(gateway.url, keyA).messages.countTokens({
            model: "local",
            system,
            messages: [{ role: "user", content: "def parse(line):" }],
        });
        expect(counted.input_tokens).toBeGreaterThan(50);
        const scopes = render.mock.calls.map((call) => call[2]);
        expect(scopes).toHaveLength(1);
        expect(scopes[0]).toMatch(/^key-[0-9a-f]{12}$/);
    } finally {
        render.mockRestore();
    }
});
