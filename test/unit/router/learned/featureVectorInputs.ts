/**
 * Fixed requests whose feature vectors are stored in featureVectors.json (written by the feature
 * extraction the committed classifier was trained with): featureVector.test.ts checks that a change to
 * how the features are computed leaves every column of them as it was. They exercise the scanned
 * window's every reader: long pastes (head and tail), paths and file names among dotted code, stack
 * traces, each language cue, odd fences, cue words, agent loops.
 */
import type { ChatRequest } from "../../../../src/chat/types.js";

const tsChunk = `import { cacheKeys } from "./cacheKey.js";
export function lookup(ctx: RouteContext): CachedAnswer | undefined {
    const hit = this.#options.cache?.lookup(ctx.cacheKeys);
    metrics.cacheLookups.inc({ result: hit ? "hit" : "miss" });
    return hit?.answer; // see src/router/ResponseCache.ts and test/unit/router/ResponseCache.test.ts
}
`;
const pyChunk = `from collections import OrderedDict
import numpy as np
def evict(self, key):
    if key in self.entries:
        del self.entries[key]
    elif key is None:
        raise KeyError: "none"
`;
const trace = `Traceback (most recent call last):
  File "cache.py", line 12, in evict
ValueError: bad key
    at Object.lookup (/app/dist/cache.js:10:5)
thread 'main' panicked at src/main.rs:3:5
`;
const misc = `fn main() { let mut v: Option<u8> = None; impl Foo for Bar {} }
#include <stdio.h>
int main() { printf("%d", std::max(1, 2)); char *p = malloc(4); }
SELECT id, name FROM users WHERE id = 1; CREATE TABLE t (id int);
$ npm install && git status
#!/bin/bash
func (s *Server) Serve(x int) { y := 1 }
package main
public static void main(String[] args) {} @Override
diff --git a/x.ts b/x.ts
@@ -1,2 +1,3 @@
`;

const user = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content }],
    ...extra,
});

export const featureVectorInputs: Record<string, ChatRequest> = {
    short: user("Rename the variable `x` to `count` in src/a.ts"),
    question: user("What does this regex do, and is it a bug? `^\\s*from`", { max_tokens: 512 }),
    pastedTs20k: user(
        `Refactor this so the cache test passes and explain the bug:\n\n\`\`\`ts\n${tsChunk.repeat(60)}\`\`\`\n\nWhy does the second lookup miss after an eviction? Fix src/router/ResponseCache.ts.`,
    ),
    pastedPython: user(`Fix the failing test:\n\`\`\`python\n${pyChunk.repeat(30)}\`\`\`\n${trace}`),
    everyLanguage: user(`Explain these snippets and write unit tests for them:\n${misc}${misc}`),
    unclosedFence: user(
        `Complete this function:\n\`\`\`\`ts\n${tsChunk}\n\`\`\` and then \`\`\`sh\n$ git diff`,
    ),
    dottedNoPaths: user(`${"a.b.c.d.e.f_g-h.json ".repeat(300)} what is v1.2.3 vs ..x/y.tsx?`),
    agentLoop: {
        system: "You are a careful coding agent. ".repeat(30),
        tools: [{ name: "read_file", description: "Reads a file", input_schema: { type: "object" } }],
        messages: [
            { role: "user", content: "The cache test fails on CI. Find out why and fix it." },
            {
                role: "assistant",
                content: [
                    { type: "text", text: "Let me run it." },
                    {
                        type: "tool_call",
                        id: "t1",
                        name: "run",
                        arguments: { cmd: "npm test", path: "test/a.ts" },
                    },
                ],
            },
            {
                role: "user",
                content: [{ type: "tool_result", tool_call_id: "t1", content: `FAIL test/a.ts\n${trace}` }],
            },
        ],
        hints: { task_type: "edit", tags: ["security"], latency_budget_ms: 800 },
    },
};
