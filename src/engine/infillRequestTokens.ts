/**
 * The fill-in-the-middle prompt of a request with `suffix` set, on the target model (infillPrompt.ts lays
 * it out): the prefix must be text (or unset: the cursor at the start of the file), and the target must
 * have FIM tokens in its GGUF metadata (else E_FIM_UNSUPPORTED).
 */
import type { LlamaModel } from "node-llama-cpp";
import { ErrorCode } from "../errors/codes.js";
import { InvalidArgumentError, ServiceError } from "../errors/ServiceError.js";
import type { Token } from "../speculative/types.js";
import { infillPrompt, infillTokensOf } from "./infillPrompt.js";
import type { GenerateRequest } from "./types.js";

/** `checkBytes` refuses text that cannot fit the context, before the tokenizer runs. */
export function infillRequestTokens(
    model: LlamaModel,
    targetId: string,
    request: GenerateRequest & { suffix: string },
    checkBytes: (texts: readonly string[]) => void,
): Token[] {
    const prefix = request.prompt ?? "";
    if (typeof prefix !== "string")
        throw new InvalidArgumentError(
            "fill-in-the-middle takes the prefix as prompt text, not token ids; send the text before the cursor as prompt",
        );
    const tokens = infillTokensOf(model);
    if (!tokens)
        throw new ServiceError(
            ErrorCode.FimUnsupported,
            `target "${targetId}" has no fill-in-the-middle tokens in its GGUF metadata (tokenizer.ggml.fim_pre/suf/mid_token_id); serve a FIM-trained model (e.g. a Qwen2.5-Coder, StarCoder or DeepSeek-Coder base) or leave suffix unset`,
        );
    const { suffix } = request;
    const extraContext = request.extraContext ?? [];
    checkBytes([prefix, suffix, ...extraContext.flatMap((c) => [c.name, c.text])]);
    return infillPrompt(tokens, { prefix, suffix, extraContext }, (text) => model.tokenize(text, false));
}
