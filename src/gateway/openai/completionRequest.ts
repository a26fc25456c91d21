/**
 * An OpenAI (legacy) Completions request body, as editors send it for autocomplete (the `openai` SDK's
 * CompletionCreateParams) → the router's normalized ChatRequest carrying a `completion`: `prompt` is the
 * text before the cursor and `suffix` the text after (fill-in-the-middle; without it, a plain completion).
 * Only the local tier serves these; the router skips hosted targets and says so when none is left.
 * - `prompt` is one string (or an array of exactly one string); token arrays and batches are refused;
 * - fields that change what the answer must be and that the gateway does not produce (`n` > 1,
 *   `best_of` > 1, `echo`, `logprobs`) are refused with a 400 naming the field; the sampling fields
 *   (temperature, top_p, seed, presence/frequency penalties, stop) reach the local tier; bookkeeping and
 *   `logit_bias` (token ids of OpenAI's vocabulary, not the local model's) are accepted and listed as ignored;
 * - `max_tokens` defaults to 16, the endpoint's documented default (editors send their own).
 */
import type { CompletionCreateParamsBase } from "openai/resources/completions";
import type { PromptCompletion } from "../../index.js";
import { GatewayError, refuse } from "../GatewayError.js";
import { parseOpenAIRequest, sharedOpenAIFields, type ParsedOpenAIRequest } from "./parseOpenAIRequest.js";

/** The output cap when the request sets none: the OpenAI Completions API's documented default. */
export const defaultCompletionMaxTokens = 16;

/** Fields read below and by parseOpenAIRequest; everything else is ignored and named in the header. */
const handled = new Set<string>([
    ...sharedOpenAIFields,
    "prompt",
    "suffix",
    "max_tokens",
    "n",
    "best_of",
    "echo",
    "logprobs",
]);

export function fromCompletionParams(body: Record<string, unknown>): ParsedOpenAIRequest {
    return parseOpenAIRequest(body, handled, () => {
        const params = body as unknown as CompletionCreateParamsBase;
        refuse(
            params.n != null && params.n !== 1,
            "n",
            "only n = 1 is supported; send one request per choice",
        );
        refuse(
            params.best_of != null && params.best_of !== 1,
            "best_of",
            "only best_of = 1 is supported; remove `best_of`",
        );
        refuse(params.echo === true, "echo", "the prompt is not echoed back; remove `echo`");
        refuse(
            params.logprobs != null,
            "logprobs",
            "log-probabilities are not returned by the gateway; remove `logprobs`",
        );
        const suffix: unknown = params.suffix;
        if (suffix != null && typeof suffix !== "string") {
            throw new GatewayError(
                "invalid_request",
                "`suffix` must be a string (the text after the cursor)",
            );
        }

        const completion: PromptCompletion = { prompt: promptText(params.prompt) };
        if (typeof suffix === "string") completion.suffix = suffix;
        return { messages: [], completion, max_tokens: params.max_tokens ?? defaultCompletionMaxTokens };
    });
}

/** The prompt as text: a string, or an array holding exactly one string. */
function promptText(prompt: unknown): string {
    if (typeof prompt === "string") return prompt;
    if (Array.isArray(prompt)) {
        if (prompt.length === 1 && typeof prompt[0] === "string") return prompt[0];
        if (prompt.length > 1 && prompt.every((p) => typeof p === "string")) {
            throw new GatewayError(
                "invalid_request",
                `\`prompt\`: ${prompt.length} prompts in one request are not supported; send one request per prompt`,
            );
        }
        throw new GatewayError(
            "invalid_request",
            "`prompt`: token arrays are not supported; send the prompt as a string",
        );
    }
    throw new GatewayError(
        "invalid_request",
        "`prompt` is required: the text before the cursor, as a string (add `suffix` for the text after it)",
    );
}
