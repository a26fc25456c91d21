/**
 * docker-compose.yml, Prometheus and the deploy configs, checked statically and against each other (no
 * Docker engine here): the GPU reservation, the CPU profile, read-only models, the health check, and that
 * Prometheus scrapes the port and host the server really uses.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    defaultDrainTimeoutMs,
    defaultGrpcPort,
    defaultHttpPort,
    defaultMetricsPort,
} from "../../../src/config/defaults.js";
import { parseConfig } from "../../../src/config/loadConfig.js";
import { parseDockerfile } from "./dockerfile.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, "utf8");

interface Mount {
    type: string;
    source: string;
    target: string;
    read_only?: boolean;
}
interface Service {
    profiles?: string[];
    image: string;
    build?: { context: string; target: string };
    restart?: string;
    environment?: Record<string, string>;
    ports?: string[];
    expose?: string[];
    volumes?: (Mount | string)[];
    healthcheck?: { test: string[]; start_period: string };
    stop_grace_period?: string;
    networks?: { default?: { aliases?: string[] } };
    deploy?: { resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } } };
}

// Merge keys (`<<: *tiercel`) are YAML 1.1, which Compose supports; the yaml package needs them asked for.
const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
};
const service = (name: string): Service => {
    const found = compose.services[name];
    if (!found) throw new Error(`no service ${name}`);
    return found;
};
const tiercelServices = [
    ["tiercel", "gpu"],
    ["tiercel-cpu", "cpu"],
] as const;

/** `${VAR:-default}` → default (what Compose uses when VAR is unset). */
const withDefaults = (text: string): string => text.replace(/\$\{\w+:-([^}]*)\}/g, "$1");
const mounts = (s: Service): Mount[] => (s.volumes ?? []).filter((v): v is Mount => typeof v !== "string");
const seconds = (duration: string): number => {
    const match = /^(\d+)(s|m)$/.exec(duration);
    if (!match) throw new Error(`unreadable duration ${duration}`);
    return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};

describe("docker-compose.yml", () => {
    it("runs tiercel under the gpu or the cpu profile, monitoring under both", () => {
        for (const [name, profile] of tiercelServices) expect(service(name).profiles).toEqual([profile]);
        expect(service("prometheus").profiles).toBeUndefined();
        expect(service("grafana").profiles).toBeUndefined();
    });

    it("reserves NVIDIA GPUs for the gpu service only", () => {
        const devices = service("tiercel").deploy?.resources?.reservations?.devices ?? [];
        expect(devices).toContainEqual(expect.objectContaining({ driver: "nvidia", capabilities: ["gpu"] }));
        expect(service("tiercel-cpu").deploy).toBeUndefined();
    });

    it("builds each service from an existing Dockerfile target", () => {
        const stages = parseDockerfile(read("Dockerfile")).stages.map((s) => s.name);
        expect(service("tiercel").build?.target).toBe("runtime-cuda");
        expect(service("tiercel-cpu").build?.target).toBe("runtime-cpu");
        for (const [name] of tiercelServices) expect(stages).toContain(service(name).build?.target);
    });

    it.each(tiercelServices)(
        "%s: restarts, publishes gRPC and the gateway, keeps metrics on the compose network",
        (name) => {
            const s = service(name);
            expect(["always", "unless-stopped", "on-failure"]).toContain(s.restart);
            expect(s.ports?.map(withDefaults)).toEqual([
                `127.0.0.1:${defaultGrpcPort}:${defaultGrpcPort}`,
                `127.0.0.1:${defaultHttpPort}:${defaultHttpPort}`,
            ]);
            expect(s.expose).toEqual([String(defaultMetricsPort)]);
            expect(s.networks?.default?.aliases).toEqual(["tiercel"]);
            // Docker's SIGKILL must come after the server's own drain budget.
            expect(seconds(s.stop_grace_period ?? "10s") * 1000).toBeGreaterThan(defaultDrainTimeoutMs);
        },
    );

    it.each(tiercelServices)(
        "%s: mounts models read-only and a valid config where TIERCEL_CONFIG points",
        (name) => {
            const s = service(name);
            const byTarget = new Map(mounts(s).map((m) => [m.target, m]));
            const models = byTarget.get("/models");
            expect(models?.read_only).toBe(true);
            expect(existsSync(`${root}${withDefaults(models?.source ?? "")}/manifest.json`)).toBe(true);

            const configPath = s.environment?.TIERCEL_CONFIG ?? "";
            const configMount = byTarget.get(configPath);
            expect(configMount?.read_only).toBe(true);
            const config = parseConfig(JSON.parse(read(configMount?.source ?? "")), configMount?.source);
            // Bundled models resolve inside the read-only mount; learned state goes to the writable volume.
            expect(config.models.manifest?.startsWith("/models/")).toBe(true);
            expect(config.speculation.stateFile?.startsWith("/var/lib/tiercel/")).toBe(true);
            expect(s.volumes).toContain("tiercel-state:/var/lib/tiercel");
            expect(config.engine.gpu).toBe(name === "tiercel" ? "cuda" : false);
        },
    );

    it.each(tiercelServices)("%s: health is our grpc.health.v1 client, with time to load models", (name) => {
        const { healthcheck } = service(name);
        expect(healthcheck?.test).toEqual(["CMD", "node", "--import", "tsx", "src/healthcheck.ts"]);
        expect(seconds(healthcheck?.start_period ?? "0s")).toBeGreaterThanOrEqual(60);
    });

    it("binds only files and directories that exist", () => {
        for (const s of Object.values(compose.services)) {
            for (const m of mounts(s)) {
                if (m.type === "bind")
                    expect(existsSync(`${root}${withDefaults(m.source)}`), m.source).toBe(true);
            }
        }
    });

    it("declares every named volume it uses", () => {
        for (const s of Object.values(compose.services)) {
            for (const v of s.volumes ?? []) {
                if (typeof v === "string") expect(Object.keys(compose.volumes)).toContain(v.split(":")[0]);
            }
        }
    });
});

describe("Prometheus and Grafana wiring", () => {
    const prometheus = parse(read("deploy/prometheus/prometheus.yml")) as {
        scrape_configs: {
            job_name: string;
            metrics_path?: string;
            static_configs: { targets: string[] }[];
        }[];
    };

    it("scrapes tiercel at its network alias and metrics port", () => {
        const job = prometheus.scrape_configs.find((c) => c.job_name === "tiercel");
        expect(job?.metrics_path ?? "/metrics").toBe("/metrics");
        expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([`tiercel:${defaultMetricsPort}`]);
    });

    it("mounts the scrape config Prometheus is started with", () => {
        const p = service("prometheus") as Service & { command: string[] };
        const configFlag = p.command.find((c) => c.startsWith("--config.file="))?.split("=")[1];
        const mount = mounts(p).find((m) => m.target === configFlag);
        expect(mount?.source).toBe("./deploy/prometheus/prometheus.yml");
        expect(mount?.read_only).toBe(true);
    });

    it("points Grafana's datasource at the prometheus service", () => {
        const { datasources } = parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
            datasources: { url: string }[];
        };
        expect(datasources.map((d) => d.url)).toEqual(["http://prometheus:9090"]);
        expect(service("prometheus").ports?.some((p) => p.endsWith(":9090"))).toBe(true);
        const grafana = mounts(service("grafana"));
        expect(grafana.find((m) => m.target === "/etc/grafana/provisioning")?.source).toBe(
            "./deploy/grafana/provisioning",
        );
    });
});
