// Original file: proto/tiercel/v1/inference.proto


/**
 * One tool call in an answer (or in an earlier assistant message).
 */
export interface ToolCall {
  /**
   * The call's id: the server assigns "call_<n>" to the calls it generates; a "tool" message answers a call
   * by this id.
   */
  'id'?: (string);
  /**
   * The called tool's name (one of GenerateRequest.tools).
   */
  'name'?: (string);
  /**
   * The arguments as JSON text: an object that matches the tool's parameters_json (its enforced part).
   */
  'arguments_json'?: (string);
}

/**
 * One tool call in an answer (or in an earlier assistant message).
 */
export interface ToolCall__Output {
  /**
   * The call's id: the server assigns "call_<n>" to the calls it generates; a "tool" message answers a call
   * by this id.
   */
  'id': (string);
  /**
   * The called tool's name (one of GenerateRequest.tools).
   */
  'name': (string);
  /**
   * The arguments as JSON text: an object that matches the tool's parameters_json (its enforced part).
   */
  'arguments_json': (string);
}
