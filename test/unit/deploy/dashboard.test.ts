/**
 * The Grafana dashboard and its provisioning: every PromQL expression names only metrics (and labels) the
 * code defines, uses counters and gauges the way their type allows, and the panels cover what an operator
 * of speculative decoding and the router needs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { definedMetrics } from "./definedMetrics.js";
import { analyzePromQL, checkExpression, resolveSeries } from "./promql.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, "utf8");

interface Target {
    expr?: string;
    datasource?: { uid?: string };
}
interface Panel {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { type?: string; uid?: string };
    targets?: Target[];
}

const dashboard = JSON.parse(read("deploy/grafana/dashboards/tiercel.json")) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; type: string; query: { query: string }; includeAll?: boolean }[] };
};
const queryPanels = dashboard.panels.filter((p) => p.type !== "row");
const expressions = queryPanels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? "" })),
);
const metrics = definedMetrics();

describe("dashboard PromQL", () => {
    it("has expressions to check", () => {
        expect(expressions.length).toBeGreaterThan(20);
        for (const { panel, expr } of expressions) expect(expr, panel).not.toBe("");
    });

    it.each(expressions)("$panel: $expr", ({ expr }) => {
        expect(checkExpression(expr, metrics)).toEqual([]);
    });

    it("has an `instance` variable (All included) that every selector filters by, for several replicas", () => {
        const instance = dashboard.templating.list.find((v) => v.name === "instance");
        expect(instance).toMatchObject({ type: "query", includeAll: true });
        expect(
            checkExpression(instance!.query.query.replace(/^label_values\((\w+),.*$/, "$1"), metrics),
        ).toEqual([]);
        for (const { panel, expr } of expressions) {
            for (const selector of analyzePromQL(expr).selectors) {
                expect(selector.matchers, `${panel}: ${selector.name}`).toContain("instance");
            }
            expect(expr, panel).not.toMatch(/(?<!\$)instance(?!=~"\$instance")/);
        }
    });

    it("covers speculation, latency, throughput, capacity and the router", () => {
        const used = new Set(
            expressions.flatMap(({ expr }) =>
                analyzePromQL(expr).selectors.map((s) => resolveSeries(s.name, metrics)?.metric.name),
            ),
        );
        const required = [
            "tiercel_spec_accepted_tokens_total", // acceptance rate, mean accepted length
            "tiercel_spec_draft_tokens_total",
            "tiercel_spec_drafts_total",
            "tiercel_time_to_first_token_seconds",
            "tiercel_inter_token_latency_seconds",
            "tiercel_generated_tokens_total", // tokens/s
            "tiercel_queue_depth",
            "tiercel_sequences_in_use", // in-flight sequences
            "tiercel_router_decisions_total", // router tiers
            "tiercel_router_requests_total",
            "tiercel_router_fallbacks_total",
            "tiercel_router_breaker_state",
            "tiercel_router_cost_usd_total",
        ];
        expect(required.filter((name) => !used.has(name))).toEqual([]);
    });
});

describe("the checker itself", () => {
    it("accepts the PromQL documented in src/metrics", () => {
        const documented = [
            "sum by (proposer) (rate(tiercel_spec_accepted_tokens_total[5m])) / sum by (proposer) (rate(tiercel_spec_draft_tokens_total[5m]))",
            "sum by (proposer, position) (rate(tiercel_spec_accepted_tokens_per_pos_total[5m])) / ignoring(position) group_left sum by (proposer) (rate(tiercel_spec_drafts_total[5m]))",
            'sum(rate(tiercel_router_cache_lookups_total{result=~"hit_.*"}[5m])) / sum(rate(tiercel_router_cache_lookups_total[5m]))',
        ];
        for (const expr of documented) expect(checkExpression(expr, metrics)).toEqual([]);
    });

    it.each([
        ["rate(tiercel_tokens_generated_total[5m])", '"tiercel_tokens_generated_total" is not a metric'],
        ['sum(rate(tiercel_requests_total{status="OK"}[5m]))', 'has no label "status"'],
        ["sum by (tier) (rate(tiercel_requests_total[5m]))", 'grouping label "tier"'],
        ["rate(tiercel_queue_depth[5m])", 'gauge "tiercel_queue_depth"'],
        ["sum(tiercel_router_cost_usd_total)", "is cumulative"],
        ["histogram_quantile(0.9, rate(tiercel_queue_depth_bucket[5m]))", "not a metric"],
        ["sum(rate(tiercel_generated_tokens_total[$interval]))", 'unknown Grafana variable "$interval"'],
        ["quantile_ovr_time(0.9, tiercel_queue_depth[5m])", 'unknown PromQL function "quantile_ovr_time"'],
        ["sum(rate(tiercel_generated_tokens_total[5m])", 'unbalanced "("'],
    ])("flags %s", (expr, problem) => {
        expect(checkExpression(expr, metrics).join("\n")).toContain(problem);
    });
});

describe("dashboard JSON", () => {
    const provisionedDatasource = parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
        datasources: { uid: string; type: string; url: string }[];
    };

    it("queries the provisioned Prometheus datasource by uid", () => {
        const [datasource] = provisionedDatasource.datasources;
        expect(datasource?.type).toBe("prometheus");
        for (const panel of queryPanels) {
            expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: datasource?.uid });
            for (const target of panel.targets ?? [])
                expect(target.datasource?.uid, panel.title).toBe(datasource?.uid);
        }
    });

    it("has unique panel ids and panels that fit the 24-column grid without overlapping", () => {
        const ids = dashboard.panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        const cells = new Map<string, string>();
        for (const panel of dashboard.panels) {
            const { x, y, w, h } = panel.gridPos;
            expect(x + w, panel.title).toBeLessThanOrEqual(24);
            for (let row = y; row < y + h; row++) {
                for (let col = x; col < x + w; col++) {
                    const key = `${row}:${col}`;
                    expect(cells.get(key), `${panel.title} overlaps`).toBeUndefined();
                    cells.set(key, panel.title);
                }
            }
        }
    });

    it("is loaded from the directory the dashboard provider reads", () => {
        const provider = parse(read("deploy/grafana/provisioning/dashboards/tiercel.yml")) as {
            providers: { type: string; options: { path: string } }[];
        };
        const compose = parse(read("docker-compose.yml"), { merge: true }) as {
            services: { grafana: { volumes: { source: string; target: string }[] } };
        };
        const mount = compose.services.grafana.volumes.find(
            (v) => v.target === provider.providers[0]?.options.path,
        );
        expect(mount?.source).toBe("./deploy/grafana/dashboards");
        expect(dashboard.uid).toBe("tiercel");
    });
});
