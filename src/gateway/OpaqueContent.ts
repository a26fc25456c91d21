/**
 * Content of a caller's request with no normalized form (an image, a PDF, a hosted server tool's blocks),
 * collected while a face parses it: each is replaced by a placeholder text part (`[image]`) in the
 * normalized messages, and `only` names them for `NativeRequest.only`, so that only a target sent the
 * body as written answers (the others are skipped with that reason). The placeholder keeps the routing
 * features honest about where the content was; the response cache never answers such a request (its key
 * would not tell two images apart).
 */
import type { TextPart } from "../index.js";

export class OpaqueContent {
    readonly #types = new Set<string>();

    /** The placeholder for content of `type`, noted. */
    placeholder(type: string): TextPart {
        this.#types.add(type);
        return { type: "text", text: `[${type}]` };
    }

    /**
     * `NativeRequest.only` for what was noted (`unit`: "blocks", "parts"; `protocol`: the API whose body
     * carries it), or undefined when nothing was.
     */
    only(unit: string, protocol: string): string | undefined {
        if (this.#types.size === 0) return undefined;
        return `${[...this.#types].sort().join(", ")} ${unit} (no form outside ${protocol})`;
    }
}
