/**
 * Binds an HTTP server and says where it listens: the bound port (0 asks the OS for a free one) and the
 * host as it goes in a URL (IPv6 in brackets). A bind error (EADDRINUSE ...) rejects.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function listen(
    server: Server,
    port: number,
    host: string,
): Promise<{ port: number; urlHost: string }> {
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const bound = (server.address() as AddressInfo).port;
    return { port: bound, urlHost: host.includes(":") ? `[${host}]` : host };
}
