/**
 * `npm run healthcheck` (src/healthcheck.ts) against a real server: exit 1 while the models load, 0 once
 * SERVING, 1 again when the server is gone; unknown services, TLS, and a server that never answers.
 */
import { spawn } from "node:child_process";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../../src/healthcheck.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

interface Run {
    code: number | null;
    stdout: string;
    ms: number;
}

/** Runs the CLI as a container would: a fresh process with the given arguments and environment. */
function runHealthcheck(args: string[], env: Record<string, string> = {}, viaNpm = false): Promise<Run> {
    const started = performance.now();
    const [command, argv] = viaNpm
        ? ["npm", ["run", "--silent", "healthcheck", "--", ...args]]
        : [process.execPath, ["--import", "tsx", "src/healthcheck.ts", ...args]];
    const child = spawn(command, argv, {
        cwd: repoRoot,
        // Only what the probe needs: no TIERCEL_* from the developer's shell.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stdout += data.toString()));
    return new Promise((resolve) => {
        child.once("exit", (code) => {
            resolve({ code, stdout, ms: performance.now() - started });
        });
    });
}

describe("healthcheck CLI", () => {
    let server: TestServer;
    let address: string;

    beforeAll(async () => {
        server = await startTestServer({ deferLoad: true });
        address = server.addresses.grpcAddress;
    });

    afterAll(async () => {
        await server.close();
    });

    it("exits 1 with NOT_SERVING while the models load, then 0 once SERVING", async () => {
        const loading = await runHealthcheck(["--address", address]);
        expect(loading.code).toBe(1);
        expect(loading.stdout).toContain(`${address}: NOT_SERVING`);

        await server.app.load();
        const serving = await runHealthcheck(["--address", address]);
        expect(serving).toMatchObject({ code: 0, stdout: `${address}: SERVING\n` });
    });

    it("runs as `npm run healthcheck`, finding the server from the environment as in the image", async () => {
        await server.app.load();
        const port = String(server.addresses.grpcPort);
        // The image binds 0.0.0.0; the probe then asks over loopback.
        const run = await runHealthcheck([], { TIERCEL_HOST: "0.0.0.0", TIERCEL_GRPC_PORT: port }, true);
        expect(run).toMatchObject({ code: 0, stdout: `127.0.0.1:${port}: SERVING\n` });
    });

    it("checks a named service and reports an unknown one", async () => {
        await server.app.load();
        const inference = await checkHealth({
            address,
            service: "tiercel.v1.Inference",
            timeoutMs: 3000,
            tls: false,
        });
        expect(inference).toEqual({ serving: true, status: "SERVING" });
        const unknown = await runHealthcheck(["--address", address, "--service", "nope.v1.Nothing"]);
        expect(unknown.code).toBe(1);
        expect(unknown.stdout).toContain("nope.v1.Nothing: SERVICE_UNKNOWN");
    });

    it("exits 1 with bad arguments instead of Docker's reserved 2", async () => {
        const run = await runHealthcheck(["--timeout-ms", "soon"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("--timeout-ms must be a positive integer");
    });
});

describe("healthcheck failures", () => {
    it("exits 1 quickly once the server has stopped", async () => {
        const server = await startTestServer({ deferLoad: true });
        const address = server.addresses.grpcAddress;
        await server.close();
        const run = await runHealthcheck(["--address", address, "--timeout-ms", "5000"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("UNAVAILABLE");
    });

    it("gives up at its timeout when the server accepts but never answers", async () => {
        const sockets = new Set<Socket>();
        const silent: NetServer = createServer((socket) => sockets.add(socket));
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const { port } = silent.address() as { port: number };
        try {
            const started = performance.now();
            const result = await checkHealth({
                address: `127.0.0.1:${port}`,
                service: "",
                timeoutMs: 300,
                tls: false,
            });
            expect(result).toMatchObject({ serving: false, status: "DEADLINE_EXCEEDED" });
            expect(performance.now() - started).toBeLessThan(2000);
        } finally {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => {
                silent.close(() => {
                    resolve();
                });
            });
        }
    });

    it("speaks TLS to a TLS server (--tls), where plaintext gets no answer", async () => {
        const dir = new URL("../helpers/fixtures/tls/", import.meta.url);
        const server = await startTestServer({
            deferLoad: true,
            server: {
                tls: {
                    certPath: fileURLToPath(new URL("server.crt", dir)),
                    keyPath: fileURLToPath(new URL("server.key", dir)),
                },
            },
        });
        try {
            const address = server.addresses.grpcAddress;
            // NOT_SERVING is an answer from the server (models not loaded): the TLS connection worked.
            const secure = await runHealthcheck(["--address", address, "--tls"]);
            expect(secure.stdout).toContain(`${address}: NOT_SERVING`);
            const plain = await checkHealth({ address, service: "", timeoutMs: 1000, tls: false });
            expect(plain.serving).toBe(false);
            expect(["UNAVAILABLE", "DEADLINE_EXCEEDED"]).toContain(plain.status);
        } finally {
            await server.close();
        }
    });
});
