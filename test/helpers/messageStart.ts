/** The router's `message_start` as the gateway's encoders read it (tests and the encode bench). */
import type { RouterStreamEvent } from "../../src/index.js";

export const messageStart = {
    type: "message_start",
    model: "m",
    tier: "t",
    provider: "p",
    model_used: "m",
    routing_reason: "default",
    decided_tier: "t",
} as const satisfies RouterStreamEvent;
