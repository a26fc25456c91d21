// Original file: proto/tiercel/v1/inference.proto


/**
 * The shape a response must have. Exactly one of the two.
 */
export interface ResponseFormat {
  /**
   * A JSON Schema as JSON text (OpenAI's response_format.json_schema.schema). Supported: type, const,
   * enum, oneOf, anyOf, properties, required, additionalProperties, min/maxProperties, items,
   * prefixItems, min/maxItems, min/maxLength, format (date-time, time, date), $ref into the root's
   * $defs, and annotations (description, title, default, examples, $schema, $id, $comment).
   */
  'json_schema'?: (string);
  /**
   * true: any JSON object (OpenAI's json_object). false is INVALID_ARGUMENT.
   */
  'json_object'?: (boolean);
  'format'?: "json_schema"|"json_object";
}

/**
 * The shape a response must have. Exactly one of the two.
 */
export interface ResponseFormat__Output {
  /**
   * A JSON Schema as JSON text (OpenAI's response_format.json_schema.schema). Supported: type, const,
   * enum, oneOf, anyOf, properties, required, additionalProperties, min/maxProperties, items,
   * prefixItems, min/maxItems, min/maxLength, format (date-time, time, date), $ref into the root's
   * $defs, and annotations (description, title, default, examples, $schema, $id, $comment).
   */
  'json_schema'?: (string);
  /**
   * true: any JSON object (OpenAI's json_object). false is INVALID_ARGUMENT.
   */
  'json_object'?: (boolean);
  'format'?: "json_schema"|"json_object";
}
