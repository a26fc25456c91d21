/**
 * Just enough PromQL reading to check a dashboard against the metrics the code defines: which series
 * selectors an expression uses (with their label matchers and whether a rate-like function wraps them),
 * which labels it groups or matches on, and which functions it calls. Throws on anything it does not
 * understand, so a dashboard expression cannot slip past the check by being unusual.
 */

export interface Selector {
    /** Metric name as written (a histogram's `_bucket`/`_sum`/`_count` included). */
    name: string;
    /** Label names in its `{...}` matchers. */
    matchers: string[];
    /** Inside rate(), irate() or increase(). */
    rated: boolean;
}

export interface PromQLUse {
    selectors: Selector[];
    /** Labels in by/without/on/ignoring/group_left/group_right clauses. */
    groupingLabels: string[];
    functions: string[];
    /** Grafana variables used in range selectors (`$__rate_interval`). */
    variables: string[];
}

/** PromQL functions and aggregation operators (prometheus.io/docs/prometheus/latest/querying/functions). */
export const promqlFunctions = new Set([
    ...["sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "group"],
    ...["abs", "absent", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "delta", "deriv", "exp"],
    ...["floor", "histogram_quantile", "idelta", "increase", "irate", "label_join", "label_replace", "ln"],
    ...["log2", "log10", "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc"],
    ...["sqrt", "time", "timestamp", "vector", "avg_over_time", "min_over_time", "max_over_time"],
    ...["sum_over_time", "count_over_time", "last_over_time", "quantile_over_time", "stddev_over_time"],
]);
const rateFunctions = new Set(["rate", "irate", "increase"]);
const groupingKeywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const binaryKeywords = new Set(["and", "or", "unless", "bool"]);

type Token =
    | { kind: "ident"; text: string }
    | { kind: "string" | "number" | "range"; text: string }
    | { kind: "punct"; text: string };

function tokenize(expr: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < expr.length) {
        const rest = expr.slice(i);
        const space = /^\s+/.exec(rest);
        if (space) {
            i += space[0].length;
            continue;
        }
        const string = /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'/.exec(rest);
        const range = /^\[[^\]]*\]/.exec(rest);
        const number = /^\d+(?:\.\d+)?(?:e[+-]?\d+)?/i.exec(rest);
        const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
        const punct = /^(?:==|!=|<=|>=|=~|!~|[-+*/%^<>=(){},])/.exec(rest);
        const match =
            (string && { kind: "string" as const, text: string[0] }) ??
            (range && { kind: "range" as const, text: range[0] }) ??
            (number && { kind: "number" as const, text: number[0] }) ??
            (ident && { kind: "ident" as const, text: ident[0] }) ??
            (punct && { kind: "punct" as const, text: punct[0] });
        if (!match) throw new Error(`cannot read PromQL at "${rest}"`);
        tokens.push(match);
        i += match.text.length;
    }
    return tokens;
}

/** Reads an expression; throws on syntax outside the subset dashboards use. */
export function analyzePromQL(expr: string): PromQLUse {
    const tokens = tokenize(expr);
    const use: PromQLUse = { selectors: [], groupingLabels: [], functions: [], variables: [] };
    // What each open parenthesis belongs to: a function name, or "" for grouping.
    const parens: string[] = [];
    const at = (i: number): Token | undefined => tokens[i];
    const isPunct = (i: number, text: string): boolean => at(i)?.kind === "punct" && at(i)?.text === text;

    /** Reads `(label, ...)` at i; returns the index after `)`. */
    const labelList = (i: number, into: string[]): number => {
        if (!isPunct(i, "(")) throw new Error(`expected "(" in ${expr}`);
        let j = i + 1;
        while (!isPunct(j, ")")) {
            const token = at(j);
            if (token?.kind === "ident") into.push(token.text);
            else if (!isPunct(j, ","))
                throw new Error(`unexpected "${token?.text ?? "end"}" in label list of ${expr}`);
            j++;
        }
        return j + 1;
    };
    /** Reads `{label op "value", ...}` at i; returns the index after `}`. */
    const matchers = (i: number, into: string[]): number => {
        let j = i + 1;
        while (!isPunct(j, "}")) {
            const label = at(j);
            const op = at(j + 1);
            const value = at(j + 2);
            if (
                label?.kind !== "ident" ||
                op?.kind !== "punct" ||
                !["=", "!=", "=~", "!~"].includes(op.text) ||
                value?.kind !== "string"
            ) {
                throw new Error(`unreadable label matcher in ${expr}`);
            }
            into.push(label.text);
            j += 3;
            if (isPunct(j, ",")) j++;
        }
        return j + 1;
    };

    let i = 0;
    while (i < tokens.length) {
        const token = tokens[i]!;
        if (token.kind === "punct") {
            if (token.text === "(") parens.push("");
            else if (token.text === ")") {
                if (parens.pop() === undefined) throw new Error(`unbalanced ")" in ${expr}`);
            } else if (token.text === "{") {
                throw new Error(`selector without a metric name in ${expr}`);
            }
            i++;
            continue;
        }
        if (token.kind === "range") {
            for (const variable of token.text.matchAll(/\$\{?(\w+)\}?/g)) use.variables.push(variable[1]!);
            i++;
            continue;
        }
        if (token.kind !== "ident") {
            i++;
            continue;
        }
        if (groupingKeywords.has(token.text)) {
            i = isPunct(i + 1, "(") ? labelList(i + 1, use.groupingLabels) : i + 1;
            continue;
        }
        if (binaryKeywords.has(token.text)) {
            i++;
            continue;
        }
        if (token.text === "offset") throw new Error(`offset is not supported by this reader: ${expr}`);
        const next = at(i + 1);
        // `sum by (label) (expr)`: the grouping clause between an aggregation and its argument.
        if (next?.kind === "ident" && (next.text === "by" || next.text === "without")) {
            if (!promqlFunctions.has(token.text))
                throw new Error(`unknown PromQL function "${token.text}" in ${expr}`);
            const afterLabels = labelList(i + 2, use.groupingLabels);
            if (!isPunct(afterLabels, "("))
                throw new Error(`expected "(" after the ${next.text} clause in ${expr}`);
            use.functions.push(token.text);
            parens.push(token.text);
            i = afterLabels + 1;
            continue;
        }
        if (isPunct(i + 1, "(")) {
            if (!promqlFunctions.has(token.text))
                throw new Error(`unknown PromQL function "${token.text}" in ${expr}`);
            use.functions.push(token.text);
            parens.push(token.text);
            i += 2;
            continue;
        }
        const selector: Selector = {
            name: token.text,
            matchers: [],
            rated: parens.some((p) => rateFunctions.has(p)),
        };
        i = isPunct(i + 1, "{") ? matchers(i + 1, selector.matchers) : i + 1;
        use.selectors.push(selector);
    }
    if (parens.length > 0) throw new Error(`unbalanced "(" in ${expr}`);
    return use;
}

export interface DefinedMetric {
    name: string;
    type: "counter" | "gauge" | "histogram" | "summary";
    labelNames: readonly string[];
}

/** Labels Prometheus adds to every scraped series. */
const targetLabels = ["job", "instance"];

/**
 * Checks one expression against the defined metrics; returns every problem (empty = fine): unknown
 * metrics, labels a metric does not have, gauges under rate(), counters plotted raw, unknown variables.
 */
export function checkExpression(expr: string, metrics: ReadonlyMap<string, DefinedMetric>): string[] {
    let use: PromQLUse;
    try {
        use = analyzePromQL(expr);
    } catch (error) {
        return [(error as Error).message];
    }
    const problems: string[] = [];
    const available = new Set(targetLabels);
    for (const selector of use.selectors) {
        const resolved = resolveSeries(selector.name, metrics);
        if (!resolved) {
            problems.push(`"${selector.name}" is not a metric the code defines`);
            continue;
        }
        const labels = new Set([...resolved.metric.labelNames, ...targetLabels]);
        if (resolved.part === "_bucket") labels.add("le");
        for (const label of labels) available.add(label);
        for (const label of selector.matchers) {
            if (!labels.has(label)) problems.push(`"${selector.name}" has no label "${label}"`);
        }
        const cumulative = resolved.metric.type === "counter" || resolved.metric.type === "histogram";
        if (selector.rated && !cumulative)
            problems.push(`rate-like function over the gauge "${selector.name}"`);
        if (!selector.rated && cumulative)
            problems.push(`"${selector.name}" is cumulative: wrap it in rate() or increase()`);
    }
    for (const label of use.groupingLabels) {
        if (!available.has(label))
            problems.push(`grouping label "${label}" is on none of the expression's metrics`);
    }
    for (const variable of use.variables) {
        if (!["__rate_interval", "__range", "__interval"].includes(variable)) {
            problems.push(`unknown Grafana variable "$${variable}"`);
        }
    }
    return problems;
}

/** A series name → its metric; histograms are scraped as `_bucket`, `_sum` and `_count`. */
export function resolveSeries(
    name: string,
    metrics: ReadonlyMap<string, DefinedMetric>,
): { metric: DefinedMetric; part: "" | "_bucket" | "_sum" | "_count" } | undefined {
    const exact = metrics.get(name);
    if (exact && exact.type !== "histogram") return { metric: exact, part: "" };
    for (const part of ["_bucket", "_sum", "_count"] as const) {
        if (!name.endsWith(part)) continue;
        const histogram = metrics.get(name.slice(0, -part.length));
        if (histogram?.type === "histogram") return { metric: histogram, part };
    }
    return undefined;
}
