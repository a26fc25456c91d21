/**
 * Loads proto/tiercel/v1/inference.proto at run time with the same options the generated types in
 * ./generated were made with (`npm run proto:gen`); keep the two in step.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPackageDefinition } from "@grpc/grpc-js";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import protobuf from "protobufjs";
import type { ProtoGrpcType } from "./generated/inference.js";
import type { InferenceDefinition } from "./generated/tiercel/v1/Inference.js";

/** The proto include root (works from src/ under tsx and from dist/ after a build). */
export const protoRoot = fileURLToPath(new URL("../../proto", import.meta.url));
export const inferenceProtoFile = "tiercel/v1/inference.proto";
/** Fully qualified service name, as health checks and reflection see it. */
export const inferenceServiceName = "tiercel.v1.Inference";

/** Must match the `proto:gen` flags: --keepCase --longs=String --enums=String --defaults --oneofs. */
export const protoLoaderOptions: Options = {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoRoot],
};

export interface InferenceProto {
    packageDefinition: PackageDefinition;
    /** Typed client constructors and service definition. */
    grpcObject: ProtoGrpcType;
    service: InferenceDefinition;
    /** protobufjs reflection of the same file (field names as written), for wire-level checks. */
    root: protobuf.Root;
}

export function loadInferenceProto(): InferenceProto {
    const root = new protobuf.Root().loadSync(join(protoRoot, inferenceProtoFile), { keepCase: true });
    root.resolveAll();
    const packageDefinition = loadSync(inferenceProtoFile, protoLoaderOptions);
    const grpcObject = loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
    return {
        packageDefinition,
        grpcObject,
        service: grpcObject.tiercel.v1.Inference.service,
        root,
    };
}
