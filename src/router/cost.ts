/** Cost accounting from the config's price table (USD per million tokens). */
import type { PriceConfig } from "./config.js";
import type { Usage } from "../chat/types.js";

/** The price of a provider's model: `<provider>/<model>` first, then `<model>`. */
export function priceOf(
    prices: Readonly<Record<string, PriceConfig>>,
    provider: string,
    model: string,
): PriceConfig | undefined {
    const qualified = `${provider}/${model}`;
    if (Object.hasOwn(prices, qualified)) return prices[qualified];
    return Object.hasOwn(prices, model) ? prices[model] : undefined;
}

/** The price of what has no per-token bill (the local tier). */
export const noCharge: PriceConfig = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0 });

/** Cache-read and cache-write prices relative to the input price, where the config names none (config.ts). */
export const defaultCacheReadRatio = 0.1;
export const defaultCacheWriteRatio = 1.25;

/**
 * USD for the usage at the price; null when the model has no price (unknown is not free). Prompt tokens
 * read from or written to the provider's prompt cache are billed at the cache prices.
 */
export function costUsd(price: PriceConfig | undefined, usage: Usage): number | null {
    if (!price) return null;
    const read = usage.cache_read_input_tokens ?? 0;
    const written = usage.cache_creation_input_tokens ?? 0;
    const uncached = Math.max(0, usage.input_tokens - read - written);
    const input =
        uncached * price.inputPerMTok +
        read * (price.cacheReadPerMTok ?? price.inputPerMTok * defaultCacheReadRatio) +
        written * (price.cacheWritePerMTok ?? price.inputPerMTok * defaultCacheWriteRatio);
    return (input + usage.output_tokens * price.outputPerMTok) / 1_000_000;
}
