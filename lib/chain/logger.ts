import { valueWhere } from "./optionRules.js";

/**
 * A plain logger: any object with some of `debug`, `info`, `warn`, `error` (`console` fits, and so
 * do pino, winston and bunyan loggers). Messages carry no token, header or request body.
 */
export interface GraphLogger {
  debug?(message: string, details?: Readonly<Record<string, unknown>>): void;
  info?(message: string, details?: Readonly<Record<string, unknown>>): void;
  warn?(message: string, details?: Readonly<Record<string, unknown>>): void;
  error?(message: string, details?: Readonly<Record<string, unknown>>): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * Whether a value is a logger: an object whose levels, where present, are functions, with at least one.
 * @param value - Anything.
 */
export function isLogger(value: unknown): value is GraphLogger {
  if (typeof value !== "object" || value === null) return false;
  const levels = value as Record<string, unknown>;
  return LEVELS.some((level) => typeof levels[level] === "function") && LEVELS.every((level) => levels[level] === undefined || typeof levels[level] === "function");
}

/** The option rule of a logger. */
export const aLogger = valueWhere<GraphLogger>(isLogger, "an object with debug/info/warn/error methods (e.g. console)");

/**
 * Writes one line; a logger that throws cannot break the request.
 * @param logger - The logger, if any.
 * @param level - The level.
 * @param message - The message (never a token).
 * @param details - Structured fields (never a token or headers).
 */
export function log(logger: GraphLogger | undefined, level: (typeof LEVELS)[number], message: string, details?: Readonly<Record<string, unknown>>): void {
  const write = logger?.[level];
  if (write === undefined) return;
  try {
    write.call(logger, message, details);
  } catch {
    // Logging is best effort.
  }
}
