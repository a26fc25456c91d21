// Original file: proto/tiercel/v1/inference.proto


/**
 * A file given to a fill-in-the-middle request as context.
 */
export interface InfillContext {
  /**
   * The file's name or path, e.g. "src/util.py". Empty = "tmp" (llama.cpp's default).
   */
  'name'?: (string);
  /**
   * The file's text.
   */
  'text'?: (string);
}

/**
 * A file given to a fill-in-the-middle request as context.
 */
export interface InfillContext__Output {
  /**
   * The file's name or path, e.g. "src/util.py". Empty = "tmp" (llama.cpp's default).
   */
  'name': (string);
  /**
   * The file's text.
   */
  'text': (string);
}
