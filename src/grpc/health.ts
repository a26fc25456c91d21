/**
 * Standard grpc.health.v1.Health for the whole server ("") and for tiercel.v1.Inference: NOT_SERVING
 * until the models are loaded and warmed up, SERVING after, NOT_SERVING again once shutdown starts, so
 * load balancers stop routing before the port closes.
 */
import type { Server } from "@grpc/grpc-js";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { inferenceServiceName } from "./loadProto.js";

export { healthProtoPath };

export type ServingState = "SERVING" | "NOT_SERVING";

export class ServerHealth {
    readonly #names = ["", inferenceServiceName];
    readonly #impl = new HealthImplementation(Object.fromEntries(this.#names.map((n) => [n, "NOT_SERVING"])));
    #state: ServingState = "NOT_SERVING";

    get state(): ServingState {
        return this.#state;
    }

    set(state: ServingState): void {
        this.#state = state;
        for (const name of this.#names) this.#impl.setStatus(name, state);
    }

    addToServer(server: Server): void {
        this.#impl.addToServer(server);
    }
}
