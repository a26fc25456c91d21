import { ErrorCode } from "./codes.js";

export interface ServiceErrorOptions {
    /** Whether retrying (the same request, possibly elsewhere) may succeed. Defaults per subclass. */
    retryable?: boolean;
    cause?: unknown;
    /** Structured details for clients (e.g. a compatibility report), safe to expose. */
    details?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every error tiercel raises on purpose: a stable `code`, whether a retry can help, and the
 * underlying cause. Subclasses exist per family so callers can use `instanceof` as well as `code`.
 */
export class ServiceError extends Error {
    override readonly name: string = "ServiceError";
    readonly code: ErrorCode;
    readonly retryable: boolean;
    readonly details: Readonly<Record<string, unknown>> | undefined;

    constructor(code: ErrorCode, message: string, options: ServiceErrorOptions = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.code = code;
        this.retryable = options.retryable ?? false;
        this.details = options.details;
    }
}

export class ConfigError extends ServiceError {
    override readonly name = "ConfigError";
    constructor(message: string, options: ServiceErrorOptions = {}) {
        super(ErrorCode.ConfigInvalid, message, options);
    }
}

export class ModelError extends ServiceError {
    override readonly name = "ModelError";
}

export class InvalidArgumentError extends ServiceError {
    override readonly name = "InvalidArgumentError";
    constructor(message: string, options: ServiceErrorOptions = {}) {
        super(ErrorCode.InvalidArgument, message, options);
    }
}

/** Capacity errors: the request was not started; retrying later or elsewhere may succeed. */
export class CapacityError extends ServiceError {
    override readonly name = "CapacityError";
    constructor(code: typeof ErrorCode.QueueFull | typeof ErrorCode.NotReady, message: string) {
        super(code, message, { retryable: true });
    }
}

/**
 * The request stopped because its signal fired: client cancel (E_CANCELLED), deadline
 * (E_DEADLINE_EXCEEDED, retryable), or the server cutting it at the end of its drain (E_NOT_READY,
 * retryable: another instance can serve it).
 */
export class AbortedError extends ServiceError {
    override readonly name = "AbortedError";
    constructor(
        code: typeof ErrorCode.Cancelled | typeof ErrorCode.DeadlineExceeded | typeof ErrorCode.NotReady,
        message: string,
        cause?: unknown,
    ) {
        super(code, message, { cause, retryable: code !== ErrorCode.Cancelled });
    }
}

export function isServiceError(error: unknown): error is ServiceError {
    return error instanceof ServiceError;
}
