/**
 * The fixture of the router's integration tests: a real tiercel gRPC server (the engine on the tiny
 * fixture GGUFs, one thread) and a fake Anthropic server, started once per file, plus the routers a test
 * makes, closed after each test. Registers its own vitest hooks; call it at a test file's top level.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Router } from "../../src/router/ModelRouter.js";
import { startFakeAnthropicServer, type FakeAnthropicServer } from "./fakeAnthropicServer.js";
import { startTestServer, type TestServer } from "./startTestServer.js";

export interface LocalTierAndFakeAnthropic {
    readonly server: TestServer;
    readonly anthropic: FakeAnthropicServer;
    /** Closes `router` after the current test. */
    track(router: Router): Router;
}

export function useLocalTierAndFakeAnthropic(): LocalTierAndFakeAnthropic {
    let server: TestServer | undefined;
    let anthropic: FakeAnthropicServer | undefined;
    const routers: Router[] = [];

    beforeAll(async () => {
        // threads: 1 — two llama.cpp threads on this shared 2-core machine are ~100x slower (FACTS.md).
        [server, anthropic] = await Promise.all([
            startTestServer({ engine: { threads: 1 } }),
            startFakeAnthropicServer(),
        ]);
    });

    afterEach(async () => {
        await Promise.all(routers.splice(0).map((r) => r.close()));
        anthropic?.reset();
    });

    afterAll(async () => {
        await Promise.all([server?.close(), anthropic?.close()]);
    });

    const started = <T>(value: T | undefined): T => {
        if (value === undefined) throw new Error("the servers start in beforeAll");
        return value;
    };
    return {
        get server() {
            return started(server);
        },
        get anthropic() {
            return started(anthropic);
        },
        track(router) {
            routers.push(router);
            return router;
        },
    };
}
