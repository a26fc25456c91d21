/**
 * A small Dockerfile reader for static checks: instructions with continuations joined, ARG defaults, and
 * stages. Enough for our own Dockerfile; not a general parser (no heredocs, no escape directive).
 */

export interface Instruction {
    keyword: string;
    args: string;
    line: number;
}

export interface Stage {
    name: string | undefined;
    /** Base image with global ARG defaults substituted. */
    from: string;
    instructions: Instruction[];
}

export interface Dockerfile {
    /** Global ARGs (before the first FROM) with their defaults. */
    args: Map<string, string>;
    stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
    const instructions: Instruction[] = [];
    let pending: { text: string; line: number } | undefined;
    text.split("\n").forEach((raw, index) => {
        const line = raw.trimEnd();
        if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
        if (pending !== undefined && line.trimStart().startsWith("#")) return;
        const continued = line.endsWith("\\");
        const body = continued ? line.slice(0, -1) : line;
        pending = pending
            ? { text: `${pending.text} ${body.trim()}`, line: pending.line }
            : { text: body.trim(), line: index + 1 };
        if (!continued) {
            const match = /^(\S+)\s*(.*)$/.exec(pending.text);
            if (match)
                instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: pending.line });
            pending = undefined;
        }
    });
    const args = new Map<string, string>();
    const stages: Stage[] = [];
    for (const instruction of instructions) {
        if (instruction.keyword === "FROM") {
            const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
            if (!match) throw new Error(`unreadable FROM on line ${instruction.line}`);
            stages.push({ name: match[2], from: substitute(match[1]!, args), instructions: [] });
            continue;
        }
        const stage = stages.at(-1);
        if (stage) stage.instructions.push(instruction);
        else if (instruction.keyword === "ARG") {
            const [name, value] = splitArg(instruction.args);
            args.set(name, value ?? "");
        }
    }
    return { args, stages };
}

function splitArg(args: string): [string, string | undefined] {
    const eq = args.indexOf("=");
    if (eq < 0) return [args.trim(), undefined];
    return [
        args.slice(0, eq).trim(),
        args
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1"),
    ];
}

/** `${NAME}` and `$NAME` → the ARG default. */
export function substitute(text: string, args: ReadonlyMap<string, string>): string {
    return text.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (whole, braced: string | undefined, bare: string | undefined) => {
            const value = args.get(braced ?? bare ?? "");
            return value ?? whole;
        },
    );
}

/** The arguments of a JSON-array (exec form) instruction, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
    if (!args.trimStart().startsWith("[")) return undefined;
    const parsed: unknown = JSON.parse(args);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) return undefined;
    return parsed;
}
