/**
 * A tiercel server for a bench that measures the served path: the app started from `config` (quiet,
 * ports as the config says: benches set 0), and a gRPC client on its address, as a user's client
 * connects. `stop` closes the client, then drains and stops the app.
 */
import { credentials } from "@grpc/grpc-js";
import { createApp, type App } from "../src/app.js";
import type { Config } from "../src/config/schema.js";
import type { InferenceClient } from "../src/grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../src/grpc/loadProto.js";
import { silentLogger } from "../src/util/logger.js";

export interface ServedBench {
    readonly app: App;
    readonly client: InferenceClient;
    readonly grpcAddress: string;
    /** The app's agent gateway (HTTP), whose local tier is this server. */
    readonly gatewayUrl: string;
    readonly stop: () => Promise<void>;
}

export async function startServedBench(config: Config, baseDir: string): Promise<ServedBench> {
    const app = createApp(config, { baseDir, createLogger: () => silentLogger });
    const { grpcAddress, gatewayUrl } = await app.start();
    const client: InferenceClient = new (loadInferenceProto().grpcObject.tiercel.v1.Inference)(
        grpcAddress,
        credentials.createInsecure(),
    );
    return {
        app,
        client,
        grpcAddress,
        gatewayUrl,
        stop: async () => {
            client.close();
            await app.stop();
        },
    };
}
