/**
 * Minimal structured logger: one JSON object per line on stderr (so stdout stays free for tools).
 * Components take a `Logger` so tests can pass `silentLogger`.
 */
export interface Logger {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}

function write(level: string, component: string, message: string, fields?: Record<string, unknown>): void {
    process.stderr.write(
        JSON.stringify({ time: new Date().toISOString(), level, component, message, ...fields }) + "\n",
    );
}

export function createLogger(component: string): Logger {
    return {
        info: (m, f) => {
            write("info", component, m, f);
        },
        warn: (m, f) => {
            write("warn", component, m, f);
        },
        error: (m, f) => {
            write("error", component, m, f);
        },
    };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
