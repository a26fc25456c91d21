/**
 * Content of a caller's request with no normalized form (an image, a PDF, a hosted server tool's blocks,
 * a Responses compaction summary), collected while a face parses it: content inside a message is replaced
 * by a placeholder text part (`[image]`) in the normalized messages, and `only` names it all for
 * `NativeRequest.only`, so that only a target sent the body as written answers (the others are skipped
 * with that reason). The placeholder keeps the routing features honest about where the content was; the
 * response cache never answers such a request (its key would not tell two images apart).
 */
import type { TextPart } from "../index.js";

export class OpaqueContent {
    /** Types noted, by their unit ("blocks", "parts", "items"). */
    readonly #types = new Map<string, Set<string>>();

    /** Notes content of `type` (a `unit` of the caller's protocol: "blocks", "parts", "items"). */
    note(type: string, unit: string): void {
        let types = this.#types.get(unit);
        if (types === undefined) this.#types.set(unit, (types = new Set()));
        types.add(type);
    }

    /** The placeholder for content of `type` inside a message, noted. */
    placeholder(type: string, unit: string): TextPart {
        this.note(type, unit);
        return { type: "text", text: `[${type}]` };
    }

    /** `NativeRequest.only` for what was noted (`protocol`: the API whose body carries it), or undefined. */
    only(protocol: string): string | undefined {
        if (this.#types.size === 0) return undefined;
        const named = [...this.#types].map(([unit, types]) => `${[...types].sort().join(", ")} ${unit}`);
        return `${named.sort().join("; ")} (no form outside ${protocol})`;
    }
}
