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

/** USD for the usage at the price; null when the model has no price (unknown is not free). */
export function costUsd(price: PriceConfig | undefined, usage: Usage): number | null {
    if (!price) return null;
    return (usage.input_tokens * price.inputPerMTok + usage.output_tokens * price.outputPerMTok) / 1_000_000;
}
