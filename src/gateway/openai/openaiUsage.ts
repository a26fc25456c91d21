/**
 * The router's usage in OpenAI's shape (Chat Completions and Completions share it): prompt tokens a
 * provider read from its prompt cache as `prompt_tokens_details.cached_tokens` (the local tier's reused KV
 * prefix counts: an agent resends its conversation, an editor its file).
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { Usage } from "../../index.js";

export const openaiUsage = (usage: Usage): CompletionUsage => ({
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    ...(usage.cache_read_input_tokens !== undefined && {
        prompt_tokens_details: { cached_tokens: usage.cache_read_input_tokens },
    }),
});
