// Original file: proto/tiercel/v1/inference.proto


/**
 * A tool the model may call (OpenAI's function tool, Anthropic's tool).
 */
export interface Tool {
  /**
   * The name the model calls it by: 1 to 64 characters of a-z, A-Z, 0-9, _ and -; unique in the request.
   */
  'name'?: (string);
  /**
   * What the tool does, shown to the model. May be empty.
   */
  'description'?: (string);
  /**
   * JSON Schema of the tool's arguments, as JSON text: an object schema ({"type": "object", ...}). Keywords
   * ResponseFormat.json_schema refuses (format "uri", minimum, pattern, ...) are described to the model in
   * the node's description instead of enforced. Empty = no arguments ({"type": "object"}).
   */
  'parameters_json'?: (string);
}

/**
 * A tool the model may call (OpenAI's function tool, Anthropic's tool).
 */
export interface Tool__Output {
  /**
   * The name the model calls it by: 1 to 64 characters of a-z, A-Z, 0-9, _ and -; unique in the request.
   */
  'name': (string);
  /**
   * What the tool does, shown to the model. May be empty.
   */
  'description': (string);
  /**
   * JSON Schema of the tool's arguments, as JSON text: an object schema ({"type": "object", ...}). Keywords
   * ResponseFormat.json_schema refuses (format "uri", minimum, pattern, ...) are described to the model in
   * the node's description instead of enforced. Empty = no arguments ({"type": "object"}).
   */
  'parameters_json': (string);
}
