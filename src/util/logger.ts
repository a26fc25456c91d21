/**
 * Structured logs on stderr (stdout stays free for tools), through pino: one JSON object per line when
 * stderr is piped (log collectors), a readable coloured line on a terminal (pino-pretty, synchronous so
 * lines are never lost at exit). Components take a `Logger` so tests can pass `silentLogger`.
 *
 * Environment: TIERCEL_LOG_FORMAT = `json` | `pretty` (default: pretty on a terminal, json otherwise),
 * TIERCEL_LOG_LEVEL = `debug` | `info` | `warn` | `error` | `silent` (default `info`).
 *
 * JSON lines keep the keys the project has always written: `time` (ISO 8601), `level` (a name),
 * `component`, `message`, then the call's fields.
 */
import { destination, pino, stdTimeFunctions, type Logger as PinoLogger } from "pino";
import pretty from "pino-pretty";

export interface Logger {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}

export type LogFormat = "json" | "pretty";

const levels = ["debug", "info", "warn", "error", "silent"] as const;

/** The format for these settings: the environment's choice, else pretty only on a terminal. */
export function logFormat(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): LogFormat {
    const chosen = env.TIERCEL_LOG_FORMAT;
    if (chosen === "json" || chosen === "pretty") return chosen;
    return isTTY ? "pretty" : "json";
}

function createRoot(): PinoLogger {
    const requested = process.env.TIERCEL_LOG_LEVEL;
    const level = levels.find((l) => l === requested) ?? "info";
    const options = {
        level,
        base: null,
        messageKey: "message",
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label: string) => ({ level: label }) },
    };
    if (logFormat(process.env, process.stderr.isTTY) === "pretty") {
        return pino(
            options,
            pretty({
                destination: 2,
                sync: true,
                messageKey: "message",
                translateTime: "SYS:HH:MM:ss.l",
                ignore: "component",
                singleLine: true,
                messageFormat: "{if component}[{component}] {end}{message}",
            }),
        );
    }
    return pino(options, destination({ fd: 2, sync: true }));
}

let root: PinoLogger | undefined;

export function createLogger(component: string): Logger {
    root ??= createRoot();
    const child = root.child({ component });
    return {
        info: (m, f) => {
            child.info(f, m);
        },
        warn: (m, f) => {
            child.warn(f, m);
        },
        error: (m, f) => {
            child.error(f, m);
        },
    };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
