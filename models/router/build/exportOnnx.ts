/**
 * `Mlp` → an ONNX model (bytes), encoded with protobufjs from the minimal subset of onnx.proto written
 * below (field numbers from onnx/onnx.proto, IR version 8, opset 17). No Python and no onnx package: the
 * graph is four nodes and a handful of initializers.
 *
 *   features [batch, F] ─MatMul(W1')─Add(b1')─Relu─MatMul(W2)─Add(b2)─Softmax(axis=-1)→ probabilities [batch, K]
 *
 * The training set's standardization z = (x − mean) / std is folded into the first layer:
 * W1'[i, j] = W1[i, j] / std[i] and b1'[j] = b1[j] − Σ_i mean[i] · W1[i, j] / std[i], so the runtime sends
 * raw feature vectors. `metadata` (feature schema version, tier names...) goes into the model's
 * `metadata_props`.
 */
import protobuf from "protobufjs";
import type { Mlp } from "./mlp.js";

/** The subset of onnx.proto this exporter writes (field numbers as in the official schema). */
const onnxSubset = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message StringStringEntryProto { string key = 1; string value = 2; }
message AttributeProto {
  string name = 1; float f = 2; int64 i = 3; string s = 4;
  int32 type = 20;
}
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string domain = 7;
}
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4 [packed = true];
  string name = 8;
}
message TensorShapeProto {
  message Dimension { int64 dim_value = 1; string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  Tensor tensor_type = 1;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; string doc_string = 10;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string domain = 4;
  int64 model_version = 5; string doc_string = 6; GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14;
}
`;

/** TensorProto.DataType.FLOAT */
const floatType = 1;
/** AttributeProto.AttributeType.INT */
const intAttribute = 2;
const irVersion = 8;
const opsetVersion = 17;

/** Input and output names of the exported graph (the worker feeds and reads these). */
export const onnxInputName = "features";
export const onnxOutputName = "probabilities";

let modelType: protobuf.Type | undefined;
function modelProto(): protobuf.Type {
    modelType ??= protobuf.parse(onnxSubset, { keepCase: true }).root.lookupType("onnx.ModelProto");
    return modelType;
}

function tensor(name: string, dims: number[], data: ArrayLike<number>): object {
    return { name, dims, data_type: floatType, float_data: Array.from(data) };
}

function valueInfo(name: string, dims: (number | string)[]): object {
    return {
        name,
        type: {
            tensor_type: {
                elem_type: floatType,
                shape: {
                    dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })),
                },
            },
        },
    };
}

/** The standardization folded into the first layer (see the module comment). */
export function foldStandardization(model: Mlp): { w1: Float32Array; b1: Float32Array } {
    const { inputSize, hiddenSize } = model;
    const w1 = new Float32Array(inputSize * hiddenSize);
    const b1 = Float64Array.from(model.b1);
    for (let i = 0; i < inputSize; i++) {
        const scale = 1 / model.std[i]!;
        for (let j = 0; j < hiddenSize; j++) {
            const w = model.w1[i * hiddenSize + j]! * scale;
            w1[i * hiddenSize + j] = w;
            b1[j]! -= model.mean[i]! * w;
        }
    }
    return { w1, b1: Float32Array.from(b1) };
}

export function exportOnnx(model: Mlp, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const { inputSize, hiddenSize, outputSize } = model;
    const folded = foldStandardization(model);
    const node = (opType: string, inputs: string[], output: string, attribute: object[] = []): object => ({
        op_type: opType,
        name: output,
        input: inputs,
        output: [output],
        attribute,
    });
    const message = {
        ir_version: irVersion,
        producer_name: "tiercel",
        producer_version: "models/router/build/exportOnnx.ts",
        doc_string: "tiercel routing classifier: request features -> tier probabilities",
        opset_import: [{ domain: "", version: opsetVersion }],
        metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
        graph: {
            name: "tiercel_router",
            node: [
                node("MatMul", [onnxInputName, "W1"], "h_mm"),
                node("Add", ["h_mm", "B1"], "h_pre"),
                node("Relu", ["h_pre"], "h"),
                node("MatMul", ["h", "W2"], "o_mm"),
                node("Add", ["o_mm", "B2"], "logits"),
                node("Softmax", ["logits"], onnxOutputName, [{ name: "axis", type: intAttribute, i: -1 }]),
            ],
            initializer: [
                tensor("W1", [inputSize, hiddenSize], folded.w1),
                tensor("B1", [hiddenSize], folded.b1),
                tensor("W2", [hiddenSize, outputSize], model.w2),
                tensor("B2", [outputSize], model.b2),
            ],
            input: [valueInfo(onnxInputName, ["batch", inputSize])],
            output: [valueInfo(onnxOutputName, ["batch", outputSize])],
        },
    };
    const type = modelProto();
    const error = type.verify(message);
    if (error !== null) throw new Error(`exportOnnx: invalid ModelProto: ${error}`);
    return type.encode(type.fromObject(message)).finish();
}
