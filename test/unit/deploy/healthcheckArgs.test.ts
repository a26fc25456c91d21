/**
 * Where `npm run healthcheck` looks without --address: the address the server binds with the same flags,
 * environment and config file, with wildcard hosts replaced by loopback (what a container probe needs).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defaultHealthCheckTimeoutMs, parseHealthCheckArgs } from "../../../src/healthcheck.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tiercel-healthcheck-"));
afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
});
const writeConfig = (name: string, config: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(config));
    return path;
};

describe("parseHealthCheckArgs", () => {
    it("uses --address as given, asks for the whole server, and times out after the default", () => {
        expect(parseHealthCheckArgs(["--address", "10.0.0.5:6000"], {})).toEqual({
            address: "10.0.0.5:6000",
            service: "",
            timeoutMs: defaultHealthCheckTimeoutMs,
            tls: false,
        });
    });

    it("defaults to the server's default address", () => {
        expect(parseHealthCheckArgs([], {})).toMatchObject({ address: "127.0.0.1:50051" });
    });

    it("follows TIERCEL_HOST and TIERCEL_GRPC_PORT, probing a wildcard bind over loopback", () => {
        const env = { TIERCEL_HOST: "0.0.0.0", TIERCEL_GRPC_PORT: "6001" };
        expect(parseHealthCheckArgs([], env)).toMatchObject({ address: "127.0.0.1:6001" });
        expect(parseHealthCheckArgs([], { TIERCEL_HOST: "::" })).toMatchObject({ address: "[::1]:50051" });
        expect(parseHealthCheckArgs([], { TIERCEL_HOST: "10.1.2.3" })).toMatchObject({
            address: "10.1.2.3:50051",
        });
    });

    it("reads the config file's server section, with the environment taking precedence as in npm start", () => {
        const path = writeConfig("server.json", {
            server: { host: "0.0.0.0", grpcPort: 7000, tls: { certPath: "c.pem", keyPath: "k.pem" } },
        });
        expect(parseHealthCheckArgs(["--config", path], {})).toMatchObject({
            address: "127.0.0.1:7000",
            tls: true,
        });
        expect(parseHealthCheckArgs([], { TIERCEL_CONFIG: path, TIERCEL_GRPC_PORT: "7001" })).toMatchObject({
            address: "127.0.0.1:7001",
        });
        const other = writeConfig("other.json", { server: { grpcPort: 7002 } });
        expect(parseHealthCheckArgs(["--config", other], { TIERCEL_CONFIG: path })).toMatchObject({
            address: "127.0.0.1:7002",
            tls: false,
        });
    });

    it("finds the server of the container image with the compose configs", () => {
        // The image sets TIERCEL_HOST=0.0.0.0; compose sets TIERCEL_CONFIG to the mounted file.
        for (const config of ["deploy/config/tiercel.json", "deploy/config/tiercel-cpu.json"]) {
            const env = { TIERCEL_HOST: "0.0.0.0", TIERCEL_CONFIG: `${root}${config}` };
            expect(parseHealthCheckArgs([], env), config).toMatchObject({
                address: "127.0.0.1:50051",
                tls: false,
            });
        }
    });

    it("takes --service, --timeout-ms and --tls", () => {
        expect(
            parseHealthCheckArgs(["--service", "tiercel.v1.Inference", "--timeout-ms", "250", "--tls"], {}),
        ).toMatchObject({ service: "tiercel.v1.Inference", timeoutMs: 250, tls: true });
        expect(parseHealthCheckArgs(["-h"], {})).toBe("help");
    });

    it("refuses what it cannot use, naming the problem", () => {
        expect(() => parseHealthCheckArgs(["--timeout-ms", "0"], {})).toThrow(/--timeout-ms/);
        expect(() => parseHealthCheckArgs(["--timeout-ms", "soon"], {})).toThrow(/--timeout-ms/);
        expect(() => parseHealthCheckArgs(["--port", "1"], {})).toThrow(/--port/);
        expect(() => parseHealthCheckArgs([], { TIERCEL_GRPC_PORT: "0" })).toThrow(/--address/);
        expect(() => parseHealthCheckArgs(["--config", join(dir, "missing.json")], {})).toThrow(/config/);
    });
});
