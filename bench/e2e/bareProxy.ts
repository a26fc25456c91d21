/**
 * The least any gateway in its own process does: a bare HTTP pass-through proxy (node:http, keep-alive
 * upstream sockets, bodies piped both ways, no parsing), one listening port per upstream URL given on the
 * command line. The gateway bench runs it beside the gateway, so the cost of one more process hop on the
 * machine (a loopback round trip and two process wake-ups, which on a 2-vCPU VM has a p99 of several
 * milliseconds by itself) is measured and not blamed on the gateway's work.
 *
 * Run by `startBareProxy` with an IPC channel: it sends its ports once listening, and answers "cpu" with
 * its `process.cpuUsage()` total in µs.
 */
import { fork } from "node:child_process";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface BareProxy {
    /** `http://127.0.0.1:<port>` per upstream, in the order given. */
    readonly urls: readonly string[];
    cpuMicros(): Promise<number>;
    close(): Promise<void>;
}

export async function startBareProxy(upstreams: readonly string[]): Promise<BareProxy> {
    const child = fork(new URL(import.meta.url), upstreams, { execArgv: ["--import", "tsx"] });
    // One message answers one question (the ports, then each "cpu"), asked one at a time.
    let waiting: { resolve(value: unknown): void; reject(error: Error): void } | undefined;
    child.on("message", (message) => waiting?.resolve(message));
    child.once("exit", (code) => waiting?.reject(new Error(`bare proxy exited (${code})`)));
    const next = (): Promise<unknown> =>
        new Promise((resolve, reject) => {
            waiting = { resolve, reject };
        });
    const ports = (await next()) as number[];
    return {
        urls: ports.map((port) => `http://127.0.0.1:${port}`),
        cpuMicros: async () => {
            const reply = next();
            child.send("cpu");
            return (await reply) as number;
        },
        close: async () => {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        },
    };
}

function serve(upstream: URL): Promise<number> {
    const agent = new Agent({ keepAlive: true });
    const server = createServer((req, res) => {
        const out = request(
            {
                host: upstream.hostname,
                port: upstream.port,
                method: req.method,
                path: req.url,
                headers: { ...req.headers, host: upstream.host },
                agent,
            },
            (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            },
        );
        out.on("error", () => res.destroy());
        req.pipe(out);
    });
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            resolve((server.address() as AddressInfo).port);
        });
    });
}

if (
    process.send !== undefined &&
    process.argv[1] !== undefined &&
    import.meta.url.endsWith(process.argv[1])
) {
    const ports = await Promise.all(process.argv.slice(2).map((url) => serve(new URL(url))));
    process.send(ports);
    process.on("message", () => {
        const used = process.cpuUsage();
        process.send?.(used.user + used.system);
    });
    process.once("SIGTERM", () => process.exit(0));
}
