import { describe, expect, it } from "vitest";
import { applyCliOptions, parseCliArgs } from "../../src/cliArgs.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { ConfigError } from "../../src/errors/ServiceError.js";

describe("parseCliArgs", () => {
    it("reads flags, and flags override the environment", () => {
        const options = parseCliArgs(["--grpc-port", "6000", "--host", "0.0.0.0", "--config", "c.json"], {
            TIERCEL_GRPC_PORT: "7000",
            TIERCEL_METRICS_PORT: "9100",
            TIERCEL_CONFIG: "env.json",
        });
        expect(options).toEqual({
            help: false,
            configPath: "c.json",
            host: "0.0.0.0",
            grpcPort: 6000,
            metricsPort: 9100,
            authToken: undefined,
        });
    });

    it("takes the auth token from the environment only", () => {
        expect(parseCliArgs([], { TIERCEL_AUTH_TOKEN: "s3cret-s3cret-s3cret" }).authToken).toBe(
            "s3cret-s3cret-s3cret",
        );
        expect(() => parseCliArgs(["--auth-token", "x"], {})).toThrow(ConfigError);
    });

    it.each([
        [["--grpc-port", "http"], {}, /--grpc-port must be a port number from 0 to 65535, got "http"/],
        [["--metrics-port", "70000"], {}, /--metrics-port must be a port number/],
        [[], { TIERCEL_GRPC_PORT: "-1" }, /TIERCEL_GRPC_PORT must be a port number/],
        [["--prot", "1"], {}, /Unknown option '--prot'[\s\S]*Usage: tiercel serve/],
    ])("rejects %j %j", (argv, env, message) => {
        expect(() => parseCliArgs(argv, env)).toThrow(message);
    });

    it("reads the gateway port (flag over TIERCEL_HTTP_PORT) and TIERCEL_GATEWAY_KEYS into the config", () => {
        const options = parseCliArgs(["--http-port", "0"], {
            TIERCEL_HTTP_PORT: "9000",
            TIERCEL_GATEWAY_KEYS: " key-one-0123456789abcdef, key-two-0123456789abcdef ,",
        });
        expect(options.httpPort).toBe(0);
        const config = applyCliOptions(parseConfig({}), options);
        expect(config.server.httpPort).toBe(0);
        expect(config.gateway.keys).toEqual(["key-one-0123456789abcdef", "key-two-0123456789abcdef"]);
        expect(parseCliArgs([], { TIERCEL_HTTP_PORT: "9000" }).httpPort).toBe(9000);
        expect(() => applyCliOptions(parseConfig({}), { help: false, gatewayKeys: ["short"] })).toThrow(
            /gateway\.keys\.0: must be at least 16 characters/,
        );
    });

    it("recognizes --help and -h", () => {
        expect(parseCliArgs(["-h"], {}).help).toBe(true);
    });
});

describe("applyCliOptions", () => {
    it("overrides the config's server section and validates the result", () => {
        const config = parseConfig({ server: { grpcPort: 1234, metricsPort: 4321 } });
        const merged = applyCliOptions(config, { help: false, grpcPort: 0 });
        expect(merged.server).toMatchObject({ grpcPort: 0, metricsPort: 4321, host: "127.0.0.1" });
        expect(Object.isFrozen(merged.server)).toBe(true);
        expect(() => applyCliOptions(config, { help: false, authToken: "short" })).toThrow(
            /at least 16 characters/,
        );
    });

    it("defaults to 127.0.0.1:50051, the gateway on 8080 and metrics on 9464", () => {
        expect(parseConfig({}).server).toEqual({
            host: "127.0.0.1",
            grpcPort: 50051,
            httpPort: 8080,
            metricsPort: 9464,
            drainTimeoutMs: 10_000,
        });
    });
});

describe("llama-server-style model flags", () => {
    it("name the target and drafts by file, with the engine sizes, and win over the config file", () => {
        const options = parseCliArgs(
            [
                "-m",
                "/m/qwen-7b.Q4_K_M.gguf",
                "-md",
                "/m/qwen-0.5b.gguf",
                "--draft",
                "/x/qwen-0.5b.gguf",
                "-c",
                "8192",
            ].concat(["-np", "8", "-t", "4", "-ngl", "99"]),
            {},
        );
        const config = applyCliOptions(parseConfig({ engine: { contextSize: 1024 } }, "file"), options);
        expect(config.models.target).toEqual({ id: "qwen-7b.Q4_K_M", path: "/m/qwen-7b.Q4_K_M.gguf" });
        expect(config.models.drafts).toEqual([
            { id: "qwen-0.5b", path: "/m/qwen-0.5b.gguf" },
            { id: "qwen-0.5b-2", path: "/x/qwen-0.5b.gguf" },
        ]);
        expect(config.engine).toMatchObject({ contextSize: 8192, sequences: 8, threads: 4, gpuLayers: 99 });
    });

    it("--model alone serves no draft (the configured drafts were chosen for another target)", () => {
        const config = applyCliOptions(
            parseConfig({}, "defaults"),
            parseCliArgs(["--model", "/m/a.gguf"], {}),
        );
        expect(config.models.drafts).toEqual([]);
        expect(applyCliOptions(parseConfig({}, "defaults"), parseCliArgs([], {})).models.drafts).not.toEqual(
            [],
        );
    });

    it("resolves relative paths against the working directory, and refuses bad counts naming the flag", () => {
        expect(parseCliArgs(["-m", "m.gguf"], {}).model).toBe(`${process.cwd()}/m.gguf`);
        expect(parseCliArgs(["-ngl", "auto"], {}).gpuLayers).toBe("auto");
        expect(() => parseCliArgs(["-c", "12k"], {})).toThrow(
            /--ctx-size must be a whole number ≥ 64, got "12k"/,
        );
        expect(() => parseCliArgs(["--parallel", "0"], {})).toThrow(/--parallel must be a whole number ≥ 1/);
    });
});
