/** `gateway.spendLimit` as startGateway takes it: its state file resolved against the config file's directory. */
import { resolve } from "node:path";
import type { Config } from "../config/schema.js";
import type { GatewayOptions } from "./startGateway.js";

export function spendLimitOf(config: Config, baseDir: string): GatewayOptions["spendLimit"] {
    const limit = config.gateway.spendLimit;
    if (limit === undefined) return undefined;
    return {
        usdPerDay: limit.usdPerDay,
        stateFile: limit.stateFile === null ? null : resolve(baseDir, limit.stateFile),
    };
}
