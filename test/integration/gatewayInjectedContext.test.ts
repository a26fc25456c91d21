/**
 * Claude Code puts `<system-reminder>` blocks (CLAUDE.md, the todo list, files changed on disk) into user
 * turns beside the human's words. Through the gateway, with the official Anthropic SDK as the client and
 * the fake Anthropic server as both hosted tiers: the routing rules' `keywords` read the human's words,
 * not the reminder's, and the near-duplicate cache compares the human's words while the reminder must be
 * identical (a large shared reminder once made "delete parseConfig" a near-duplicate of "explain what
 * parseConfig does", which would have been answered from the cache).
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicMessage,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import { anthropicClient, startTestGateway } from "../helpers/gatewayFixture.js";

const key = "tenant-key-0123456789";
/** A CLAUDE.md of ordinary house rules (one mentions a race condition), as Claude Code injects it. */
const houseRules = [
    "Run pnpm test before every commit; CI runs the same command on Node 20 and 22.",
    "The job runner must never introduce a race condition: take the advisory lock before reading a job row.",
    "Treat everything under src/auth as security sensitive and ask before changing token handling.",
    "Keep functions under forty lines and files under four hundred; split modules by responsibility.",
    "Database migrations live in db/migrations and are append-only; never edit a migration that shipped.",
    "Use the logger from src/log.ts with structured fields, never console.log in library code.",
    "Public HTTP handlers validate input with the zod schemas in src/api/schemas before touching storage.",
    "Feature flags are read once per request from the flags service and passed down explicitly.",
    "Prefer composition over inheritance; React components are function components with hooks.",
    "Dates are stored as UTC timestamps and formatted in the browser with the user's locale.",
    "Every new endpoint needs an OpenAPI entry in docs/openapi.yaml and an integration test.",
    "Dependencies are pinned; renovate opens the update pull requests, do not bump versions by hand.",
];
const claudeMd = `<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\nCodebase and user instructions are shown below.\n\n${houseRules.map((r) => `- ${r}`).join("\n")}\n</system-reminder>`;

let anthropic: FakeAnthropicServer;
let router: Router;
let gateway: Gateway;

beforeAll(async () => {
    anthropic = await startFakeAnthropicServer();
    router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
                { name: "frontier", targets: [{ provider: "anthropic", model: "claude-opus-5-5" }] },
            ],
            policy: {
                defaultTier: "mid",
                rules: [{ name: "hard_words", tier: "frontier", when: { keywords: ["race condition"] } }],
            },
            cache: { enabled: true, nearDuplicate: { enabled: true } },
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
        },
        { env: { TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key" }, logger: silentLogger },
    );
    gateway = await startTestGateway(router, { keys: [key] });
});

afterEach(() => {
    anthropic.reset();
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await anthropic.close();
});

/** A Claude Code first turn: the reminder block, then the human's words. */
const ask = (words: string, reminder = claudeMd) =>
    anthropicClient(gateway.url, key)
        .messages.create({
            model: "auto",
            max_tokens: 64,
            system: "You are Claude Code, Anthropic's official CLI for Claude.",
            messages: [
                {
                    role: "user",
                    content: [
                        { type: "text", text: reminder },
                        { type: "text", text: words },
                    ],
                },
            ],
        })
        .withResponse();
const text = (message: Anthropic.Message): string =>
    message.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("an agent's injected reminders through the gateway", () => {
    it("routing keywords read the human's words, not the reminder's", async () => {
        anthropic.enqueue(
            anthropicMessage(anthropicText("renamed")),
            anthropicMessage(anthropicText("found it")),
        );
        const plain = await ask("rename usr to user in src/models.ts");
        expect(plain.response.headers.get("x-tiercel-route")).toBe(
            "mid/anthropic/claude-haiku-5-5; reason=default",
        );
        const hard = await ask("the nightly import fails one run in twenty, find the race condition");
        expect(hard.response.headers.get("x-tiercel-route")).toBe(
            "frontier/anthropic/claude-opus-5-5; reason=rule:hard_words",
        );
    });

    it("a near-duplicate is judged on the human's words, and the reminder must be the same", async () => {
        anthropic.enqueue(
            anthropicMessage(anthropicText("It parses the config file.")),
            anthropicMessage(anthropicText("Deleted.")),
            anthropicMessage(anthropicText("It reads TIERCEL_* variables too.")),
        );
        expect(text((await ask("explain what parseConfig does")).data)).toBe("It parses the config file.");
        // Another ask beside the same 1.2 kB reminder goes upstream.
        expect(text((await ask("delete parseConfig")).data)).toBe("Deleted.");
        // The first ask respaced is a near-duplicate, served from the cache.
        expect(text((await ask("Explain what  parseConfig does")).data)).toBe("It parses the config file.");
        expect(anthropic.requests).toHaveLength(2);
        // The first ask beside a different reminder (CLAUDE.md changed) is not.
        const changed = claudeMd.replace("Run pnpm test before", "Run pnpm lint and pnpm test before");
        expect(text((await ask("explain what parseConfig does", changed)).data)).toBe(
            "It reads TIERCEL_* variables too.",
        );
        expect(anthropic.requests).toHaveLength(3);
    });
});
