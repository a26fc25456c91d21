/**
 * Appends the FIM control tokens (tokenizer/fimTokens.ts) to models/tokenizer/tiercel-bpe.json.
 * Idempotent: a tokenizer that has them is left as it is.
 *
 *   node --import tsx models/build/fim/addFimTokens.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { BpeVocabulary } from "../tokenizer/ByteLevelBpe.js";
import { fimTokenIds, withFimTokens } from "../tokenizer/fimTokens.js";
import { tokenizerPath } from "../tokenizer/trainBpe.js";

const vocab = JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary;
const grown = withFimTokens(vocab);
if (grown !== vocab) writeFileSync(tokenizerPath, JSON.stringify(grown));
console.log(`${tokenizerPath}: ${grown.tokens.length} tokens, FIM ids ${JSON.stringify(fimTokenIds(grown))}`);
