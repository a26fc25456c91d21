/**
 * The `model` a caller names → what the router is asked: `auto` (the router decides), a tier name, a
 * target's model id (its tier), or an alias from `gateway.models` (e.g. Claude Code's model names → `auto`,
 * its small/fast model → `local`). A model id forces its tier; within the tier the router still picks the
 * target (breakers, affinity). An alias ending in `*` is a prefix pattern (`"claude-*": "auto"`): agents
 * name dated model ids that change with every release (Claude Code's `claude-sonnet-4-5-20250929`, its
 * small/fast `claude-haiku-4-5-...`), which a list of exact names cannot keep up with. An exact name
 * wins over a pattern, a longer pattern over a shorter one. Unknown names are a 404 that lists what exists.
 *
 * Claude Code's `/model` picker adds only the gateway's models whose id begins with `claude` or
 * `anthropic` (its gateway model discovery), so `auto` and the tiers could not be picked there. Each has a
 * picker name too, `claude-tiercel-auto` and `claude-tiercel-<tier>` (an alias in `gateway.models` of the
 * same name wins), listed in Anthropic's model page only.
 */
import type { RouterConfig } from "../index.js";
import { ConfigError } from "../errors/ServiceError.js";
import { GatewayError } from "./GatewayError.js";

/** The name that leaves the choice to the router. */
export const autoModel = "auto";

export interface ModelEntry {
    id: string;
    /** Forced tier; undefined for `auto`. */
    tier: string | undefined;
    /** What the name is, for the listing: `router`, `tier`, `model`, `alias` or `picker` (see above). */
    kind: "router" | "tier" | "model" | "alias" | "picker";
}

/** What picker names start with (see above). */
export const pickerPrefix = "claude-tiercel-";

export class ModelCatalog {
    readonly #entries = new Map<string, ModelEntry>();
    /** Prefix patterns (`claude-*` → prefix `claude-`), longest first. */
    readonly #patterns: { prefix: string; tier: string | undefined }[] = [];

    constructor(config: RouterConfig, aliases: Readonly<Record<string, string>> = {}) {
        this.#entries.set(autoModel, { id: autoModel, tier: undefined, kind: "router" });
        for (const tier of config.tiers)
            this.#entries.set(tier.name, { id: tier.name, tier: tier.name, kind: "tier" });
        for (const tier of config.tiers) {
            for (const target of tier.targets) {
                if (target.model !== "" && !this.#entries.has(target.model)) {
                    this.#entries.set(target.model, { id: target.model, tier: tier.name, kind: "model" });
                }
            }
        }
        const pickers: ModelEntry[] = [
            { id: `${pickerPrefix}${autoModel}`, tier: undefined, kind: "picker" },
            ...config.tiers.map((t): ModelEntry => ({
                id: `${pickerPrefix}${t.name}`,
                tier: t.name,
                kind: "picker",
            })),
        ];
        for (const picker of pickers) if (!this.#entries.has(picker.id)) this.#entries.set(picker.id, picker);
        for (const [alias, name] of Object.entries(aliases)) {
            const entry = this.#entries.get(name);
            if (entry === undefined || entry.kind === "alias" || entry.kind === "picker") {
                throw new ConfigError(
                    `gateway.models.${alias}: "${name}" is not "auto", a tier or a configured model (known: ${[...this.#entries.keys()].join(", ")})`,
                );
            }
            if (alias.endsWith("*")) this.#patterns.push({ prefix: alias.slice(0, -1), tier: entry.tier });
            else this.#entries.set(alias, { id: alias, tier: entry.tier, kind: "alias" });
        }
        this.#patterns.sort((a, b) => b.prefix.length - a.prefix.length);
    }

    /** The forced tier of `model` (undefined: the router decides). Throws a `not_found` GatewayError. */
    resolve(model: string): string | undefined {
        return this.entry(model).tier;
    }

    /**
     * What `model` names: a listed entry, or an alias entry for a name a prefix pattern serves. Throws a
     * `not_found` GatewayError that says what exists.
     */
    entry(model: string): ModelEntry {
        const listed = this.#entries.get(model);
        if (listed !== undefined) return listed;
        const pattern = this.#patterns.find((p) => model.startsWith(p.prefix));
        if (pattern === undefined) {
            throw new GatewayError(
                "not_found",
                `model "${model}" is not served here; use "auto", a tier (${this.list()
                    .filter((e) => e.kind === "tier")
                    .map((e) => e.id)
                    .join(", ")}), a configured model, or map the name in gateway.models`,
            );
        }
        return { id: model, tier: pattern.tier, kind: "alias" };
    }

    /** The names a caller may send as they are (patterns are not names: they are not listed). */
    list(): ModelEntry[] {
        return [...this.#entries.values()];
    }
}
