/**
 * The data set's other wording: requests of the generator's task types phrased as people type them
 * rather than as the template generators word them: terse asks with no code and no punctuation, and
 * reworded bug reports, refactors, security and concurrency questions in which the usual cue words are
 * missing or differ (symptoms instead of "bug", "pull out" instead of "extract"). Labels follow the same
 * rubric (models/router/README.md).
 */
import { fence, fileBundle, identifier, noun, snippet, sourceFile, stackTrace } from "./codeSnippets.js";
import type { Draft, DraftRng, TierName, WeightedGenerator } from "./draft.js";
import type { Rng } from "./rng.js";

export const terseAsks: Record<TierName, ((rng: Rng) => string)[]> = {
    local: [
        () => "what does Object.freeze do",
        () => "git cmd to undo last commit but keep the changes",
        () => "how do i rename a git branch",
        () => "python f-string with 2 decimals",
        () => "ts make a field optional in an interface",
        () => "convert to arrow fn: function add(a, b) { return a + b }",
        (rng) => `typo in readme: "${rng.pick(["recieve", "seperate", "occured"])}"`,
        () => "jsdoc for add(a, b)",
        (rng) => `commit msg for: bump ${rng.pick(["lodash", "zod", "axios", "serde"])} to the next minor`,
        () => "whats the difference between let and const",
        () => "flag to make grep case insensitive",
        (rng) => `rename ${identifier(rng)} to ${identifier(rng)}`,
        () => "format this json pls",
    ],
    mid: [
        (rng) => `add retries to the ${noun(rng).toLowerCase()} fetch wrapper`,
        () => "sql for monthly active users from an events table",
        () => "regex for semver ranges like ^1.2.3 and >=2 <3",
        () => "why does my useEffect run twice",
        () => "debounce hook in react with cleanup",
        (rng) => `pagination for the ${noun(rng).toLowerCase()}s list endpoint`,
        () => "jest mock for fs.promises.readFile",
        () => "python script to dedupe a csv by email, keep the newest row",
        () => "dockerfile for a node 20 app with a multi-stage build",
        (rng) => `unit tests for a ${noun(rng).toLowerCase()} parser, edge cases too`,
        () => "go http handler that streams a file with range requests",
        () => "how do i cancel a fetch after 5s in node",
    ],
    frontier: [
        () => "design a multi-tenant rate limiter",
        () => "zero-downtime migration of a 2TB postgres table to a new schema",
        () => "our kafka consumers double-process after a rebalance, why",
        () => "is our jwt refresh flow safe? refresh tokens live in localStorage",
        () => "plan moving the monolith to services",
        () => "prove this lock-free stack is ABA-safe",
        () => "p99 spikes every 10 min in prod, where do i start",
        (rng) =>
            `split the ${noun(rng).toLowerCase()} module out of the monolith without breaking the other teams`,
        () => "events arrive out of order across partitions and totals drift; how do we fix the design",
        () => "how should we do leader election for the cron workers",
    ],
};

function terse(rng: DraftRng): Draft {
    const label = rng.pick(["local", "local", "mid", "mid", "frontier"] as const);
    const text = rng.phrasing(terseAsks[label])(rng);
    return {
        label,
        text: rng.chance(0.5) ? text : text[0]!.toUpperCase() + text.slice(1),
        output: label === "local" ? [20, 150] : label === "mid" ? [150, 700] : [600, 2000],
    };
}

type CodeLanguage = "ts" | "python" | "go" | "rust" | "java";
const pickLanguage = (rng: Rng): CodeLanguage =>
    rng.pick(["ts", "ts", "python", "go", "rust", "java"] as const);

/** A bug reported by its symptom: `mid` for one function, `frontier` when it is timing- or load-dependent. */
function symptom(rng: DraftRng): Draft {
    const s = snippet(rng, pickLanguage(rng), 3 + rng.int(8));
    const thing = noun(rng).toLowerCase();
    if (rng.chance(0.4)) {
        const text = rng.phrasing([
            `Every couple of days two ${thing}s end up with the same number. Here's where we assign it:\n${fence(s)}`,
            `${fence(s)}\nWith 8 workers the counter ends up lower than the number of ${thing}s we processed. With 1 worker it's right.`,
            `The service hangs after running for a while; the goroutine dump shows everything waiting in ${s.name}.\n${fence(s)}`,
            `Users occasionally see another tenant's ${thing}s for a second after login. The cache code:\n${fence(s)}`,
            `${fence(s)}\nWorks on my machine, times out in staging once traffic picks up.`,
            `After we added a second replica, some ${thing}s are sent twice. Consumer below.\n${fence(s)}`,
        ]);
        return { label: "frontier", text, output: [600, 1800], tools: rng.chance(0.3) };
    }
    const text = rng.phrasing([
        `${s.name} gives me ${rng.int(90) + 10} when it should be ${rng.int(90) + 110}.\n${fence(s)}`,
        `getting this when i call ${s.name}:\n${stackTrace(rng, s.language, s.name)}\n${fence(s)}`,
        `${fence(s)}\nthe last item never shows up in the output`,
        `Passing an empty list to ${s.name} blows up, and a list with one element returns nothing. Help.\n${fence(s)}`,
        `${stackTrace(rng, s.language, s.name)}\n\nwhat am I doing wrong?\n${fence(s)}`,
    ]);
    return { label: "mid", text, output: [200, 800], tools: rng.chance(0.2) };
}

/** A change across several files, worded without "refactor": `frontier`; one file: `mid`. */
function restructure(rng: DraftRng): Draft {
    const language = pickLanguage(rng);
    const thing = noun(rng);
    if (rng.chance(0.6)) {
        const bundle = fileBundle(rng, language, 3 + rng.int(4));
        const text = rng.phrasing([
            `${bundle.text}\n\nPull the ${thing.toLowerCase()} logic out of these into one place that all of them use.`,
            `Every handler here talks to the database directly. Put a layer in between so we can swap the storage.\n\n${bundle.text}`,
            `${bundle.text}\n\n${bundle.paths[0]} imports ${bundle.paths[1]} and the other way round; untangle them.`,
            `Move the ${thing.toLowerCase()} code into its own package and fix up every import.\n\n${bundle.text}`,
            `We want ${thing.toLowerCase()}s to be multi-tenant. Change these files accordingly.\n\n${bundle.text}`,
        ]);
        return { label: "frontier", text, output: [1500, 4000], tools: rng.chance(0.4) };
    }
    const s = sourceFile(rng, language, 3 + rng.int(6));
    const text = rng.phrasing([
        `This file is a mess, tidy it up without changing what it does.\n${fence(s)}`,
        `Pull the repeated parsing in this file into a helper.\n${fence(s)}`,
        `${fence(s)}\nmake this readable`,
        `Turn these functions into a class with the shared state as fields.\n${fence(s)}`,
    ]);
    return { label: "mid", text, output: [300, 1200] };
}

/** Safety questions without the words "security" or "audit": `frontier`, a fix of one spot `mid`. */
function safety(rng: DraftRng): Draft {
    const s = rng.chance(0.5)
        ? sourceFile(rng, pickLanguage(rng), 2 + rng.int(4))
        : snippet(rng, pickLanguage(rng), 4 + rng.int(6));
    if (rng.chance(0.3)) {
        const text = rng.phrasing([
            `Don't build the SQL string by hand here, use placeholders.\n${fence(s)}`,
            `Hash the password with bcrypt instead of sha1 in this function.\n${fence(s)}`,
            `Make sure the filename can't contain ../ before we open it.\n${fence(s)}`,
            `Stop logging the api key in ${s.name}.\n${fence(s)}`,
        ]);
        return { label: "mid", text, output: [150, 500] };
    }
    const text = rng.phrasing([
        `Could a logged-in user read someone else's ${noun(rng).toLowerCase()}s through this endpoint?\n${fence(s)}`,
        `${fence(s)}\nWe take the redirect URL from the query string. Is that a problem?`,
        `Is it safe to let users upload zip files to this handler?\n${fence(s)}`,
        `How would someone abuse this webhook receiver?\n${fence(s)}`,
        "What could go wrong if our session cookies are not marked SameSite?",
        `${fence(s)}\nthis fetches whatever url the customer configures, any risk?`,
    ]);
    return { label: "frontier", text, output: [800, 2000] };
}

export const otherWordingGenerators: Record<string, WeightedGenerator> = {
    terse: { weight: 8, make: terse },
    symptom: { weight: 6, make: symptom },
    restructure: { weight: 5, make: restructure },
    safety: { weight: 4, make: safety },
};
