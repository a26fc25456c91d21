/**
 * Both fake providers for a router test file: started once (await it at the file's top level), with the
 * routers a test creates closed and both fakes' scripts reset after each test, and the fakes closed after
 * the file.
 */
import { afterAll, afterEach } from "vitest";
import type { Router } from "../../src/router/ModelRouter.js";
import { startFakeAnthropicServer, type FakeAnthropicServer } from "./fakeAnthropicServer.js";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "./fakeOpenAIServer.js";

export interface FakeProviders {
    anthropic: FakeAnthropicServer;
    openai: FakeOpenAIServer;
    /** Closes `router` after the current test; returns it. */
    track: (router: Router) => Router;
}

export async function useFakeProviders(): Promise<FakeProviders> {
    const [anthropic, openai] = await Promise.all([startFakeAnthropicServer(), startFakeOpenAIServer()]);
    const routers: Router[] = [];
    afterEach(async () => {
        await Promise.all(routers.splice(0).map((r) => r.close()));
        anthropic.reset();
        openai.reset();
    });
    afterAll(async () => {
        await Promise.all([anthropic.close(), openai.close()]);
    });
    return {
        anthropic,
        openai,
        track: (router) => {
            routers.push(router);
            return router;
        },
    };
}
