/** The committed word-vector table (models/router/word-vectors.bin), read once for the tests that vectorize requests. */
import { defaultWordVectorsPath } from "../../src/router/learned/defaults.js";
import { WordVectors } from "../../src/router/learned/WordVectors.js";

export const wordVectors = WordVectors.read(defaultWordVectorsPath);
