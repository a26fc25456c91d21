// Original file: proto/tiercel/v1/inference.proto


/**
 * A piece of a tool call as it is generated (GenerateStream). The first delta of a call carries its index,
 * id and name with empty arguments_json; the following ones carry the same index and argument fragments.
 * The fragments of one index concatenate to that call's arguments_json. The last chunk's tool_calls are
 * the answer; without a grammar (tool_choice auto) a call that turns out not to parse is no call, and
 * its text comes back as text on the last chunk instead.
 */
export interface ToolCallDelta {
  /**
   * The call's position in the answer's tool_calls, from 0.
   */
  'index'?: (number);
  /**
   * First delta of a call only: its id.
   */
  'id'?: (string);
  /**
   * First delta of a call only: the tool's name.
   */
  'name'?: (string);
  /**
   * A fragment of the arguments' JSON text (empty on the first delta).
   */
  'arguments_json'?: (string);
}

/**
 * A piece of a tool call as it is generated (GenerateStream). The first delta of a call carries its index,
 * id and name with empty arguments_json; the following ones carry the same index and argument fragments.
 * The fragments of one index concatenate to that call's arguments_json. The last chunk's tool_calls are
 * the answer; without a grammar (tool_choice auto) a call that turns out not to parse is no call, and
 * its text comes back as text on the last chunk instead.
 */
export interface ToolCallDelta__Output {
  /**
   * The call's position in the answer's tool_calls, from 0.
   */
  'index': (number);
  /**
   * First delta of a call only: its id.
   */
  'id': (string);
  /**
   * First delta of a call only: the tool's name.
   */
  'name': (string);
  /**
   * A fragment of the arguments' JSON text (empty on the first delta).
   */
  'arguments_json': (string);
}
