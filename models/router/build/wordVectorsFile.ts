/** The word-vector table's file name in models/router/ (written by buildWordVectors.ts, read by the model build). */
export const wordVectorsFile = "word-vectors.bin";
