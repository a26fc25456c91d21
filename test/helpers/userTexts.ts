import type { ChatRequest } from "../../src/chat/types.js";

/** A request's user-turn texts (string content, or the text parts of block content). */
export const userTexts = (request: ChatRequest): string[] =>
    request.messages.flatMap((m) =>
        m.role !== "user"
            ? []
            : typeof m.content === "string"
              ? [m.content]
              : m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])),
    );
