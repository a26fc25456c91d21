/**
 * The process entry as `npm start` runs it: flags, a config file, the ready line, SIGTERM → exit 0.
 */
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../../models/build/buildFixtures.js";
import { freePortFlags, readyAddresses, runMain } from "../helpers/runMain.js";
import { connectClient, testConfigInput } from "../helpers/startTestServer.js";

let dir: string;
let configPath: string;

beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-main-"));
    configPath = join(dir, "config.json");
    const { server: _server, ...config } = await testConfigInput();
    await writeFile(configPath, JSON.stringify(config));
});

afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
});

describe("main", () => {
    it("serves with --config and free ports, logs one ready line, drains on SIGTERM and exits 0", async () => {
        const running = runMain(["--config", configPath, ...freePortFlags]);
        const ready = await running.ready();
        expect(ready.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(ready.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        expect(ready.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await fetch(`${ready.gateway}/readyz`)).status).toBe(200);

        const client = connectClient(readyAddresses(ready));
        const response = await client.generate({ prompt: "def f(x):", max_tokens: 3 });
        expect(response.token_ids).toHaveLength(3);
        client.close();

        running.kill("SIGTERM");
        await running.waitFor(/"message":"stopped"/);
        expect(await running.exited).toBe(0);
    });

    it("on SIGTERM lets gateway answers in flight on keep-alive connections end whole, then exits 0", async () => {
        // Agents keep their connections alive; before, a connection whose answer ended after SIGTERM stayed
        // open and held the shutdown for the whole keep-alive timeout (120 s).
        const running = runMain(["--config", configPath, ...freePortFlags]);
        const ready = await running.ready();
        const ask = (stream: boolean) =>
            fetch(`${ready.gateway}/v1/chat/completions`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({
                    model: "local",
                    max_tokens: 40,
                    temperature: 0,
                    stream,
                    messages: [{ role: "user", content: "def f(x):" }],
                }),
            });
        const inFlight = [ask(true), ask(false), ask(true)];
        const first = await inFlight[0]!; // headers sent: the stream is under way
        const stoppedAt = performance.now();
        running.kill("SIGTERM");
        const texts = [
            await first.text(),
            ...(await Promise.all(inFlight.slice(1).map(async (r) => (await r).text()))),
        ];
        expect(texts[0]).toMatch(/"finish_reason":"length"[\s\S]*data: \[DONE\]\n\n$/);
        expect(
            (JSON.parse(texts[1]!) as { usage: { completion_tokens: number } }).usage.completion_tokens,
        ).toBe(40);
        expect(texts[2]).toMatch(/data: \[DONE\]\n\n$/);
        expect(await running.exited).toBe(0);
        expect(performance.now() - stoppedAt).toBeLessThan(30_000);
    });

    it("exits 2 with a message naming the bad flag", async () => {
        const running = runMain(["--grpc-port", "nope"]);
        const line = await running.waitFor(/--grpc-port must be a port number/);
        // A sentence for a person, not a JSON log line with escaped newlines.
        expect(line).toMatch(/^tiercel: --grpc-port must be a port number from 0 to 65535, got "nope"$/);
        expect(await running.exited).toBe(2);
    });

    it("exits 1 with a hint when a port is in use", async () => {
        const taken = createServer();
        await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
        const port = String((taken.address() as AddressInfo).port);
        try {
            const running = runMain([
                "--config",
                configPath,
                "--grpc-port",
                port,
                "--metrics-port",
                "0",
                "--http-port",
                "0",
            ]);
            const line = await running.waitFor(/already in use/);
            expect(line).toMatch(/^tiercel: a port is already in use .*--grpc-port/);
            expect(await running.exited).toBe(1);
        } finally {
            taken.close();
        }
    });

    it("serves the GGUFs named by llama-server-style flags, without a config file", async () => {
        const fixtures = await ensureFixtures();
        const running = runMain([
            "-m",
            fixtures.base,
            "-md",
            fixtures.same,
            "-c",
            "512",
            "-np",
            "2",
            "-t",
            "1",
            ...freePortFlags,
        ]);
        const client = connectClient(readyAddresses(await running.ready()));
        const { models } = await client.listModels();
        expect(models.map((m) => [m.id, m.role, m.context_size])).toEqual([
            ["base", "MODEL_ROLE_TARGET", 512],
            ["same", "MODEL_ROLE_DRAFT", 512],
        ]);
        client.close();
        running.kill("SIGTERM");
        expect(await running.exited).toBe(0);
    });

    it("exits 2 when a TLS file cannot be read (a configuration error), naming the path to fix", async () => {
        const tlsConfigPath = join(dir, "tls-config.json");
        const { server: _server, ...config } = await testConfigInput();
        await writeFile(
            tlsConfigPath,
            JSON.stringify({
                ...config,
                server: { tls: { certPath: "missing.crt", keyPath: "missing.key" } },
            }),
        );
        const running = runMain(["--config", tlsConfigPath, "--grpc-port", "0", "--metrics-port", "0"]);
        const line = await running.waitFor(/server\.tls\.certPath/);
        expect(line).toContain("missing.crt");
        expect(await running.exited).toBe(2);
    });

    it("prints usage for --help and exits 0", async () => {
        const running = runMain(["--help"]);
        await running.waitFor(/--metrics-port <port>/);
        expect(await running.exited).toBe(0);
    });
});
