import { describeValue } from "./describeValue.js";
import type { OptionRule } from "./resolveOptions.js";

/**
 * A rule that accepts values passing `test` and reports `must be <expected>, got <value>` otherwise.
 * @param test - Whether the value is acceptable.
 * @param expected - What an acceptable value is, e.g. "an integer >= 1".
 */
export function valueWhere<T>(test: (value: unknown) => boolean, expected: string): OptionRule<T> {
  return (value, path, report) => {
    if (!test(value)) report(path, `must be ${expected}, got ${describeValue(value)}`);
    return value as T;
  };
}

/**
 * A number rule (`NaN` is never a number here).
 * @param test - Whether the number is acceptable.
 * @param expected - What an acceptable value is.
 */
export function numberWhere(test: (value: number) => boolean, expected: string): OptionRule<number> {
  return valueWhere((value) => typeof value === "number" && !Number.isNaN(value) && test(value), expected);
}

/** A finite number > 0. */
export const positiveNumber = numberWhere((n) => Number.isFinite(n) && n > 0, "a finite number > 0");
/** A finite number >= 0. */
export const nonNegativeNumber = numberWhere((n) => Number.isFinite(n) && n >= 0, "a finite number >= 0");
/** A whole number >= 1. */
export const positiveInteger = numberWhere((n) => Number.isInteger(n) && n >= 1, "an integer >= 1");
/** An HTTP status code. */
export const httpStatus = numberWhere((n) => Number.isInteger(n) && n >= 100 && n <= 599, "an HTTP status code (100-599)");
/** A function (listeners, clocks, hooks). */
export const aFunction = valueWhere<(...args: never[]) => unknown>((value) => typeof value === "function", "a function");
/** A clock: a function returning milliseconds. */
export const aClock = valueWhere<() => number>((value) => typeof value === "function", "a function returning milliseconds");
/** A boolean. */
export const aBoolean = valueWhere<boolean>((value) => typeof value === "boolean", "true or false");
/** A string. */
export const aString = valueWhere<string>((value) => typeof value === "string", "a string");

/**
 * One of a few literal values.
 * @param values - The allowed values.
 */
export function oneOf<const V extends readonly (string | number | boolean)[]>(values: V): OptionRule<V[number]> {
  const shown = values.map((v) => (typeof v === "string" ? `"${v}"` : String(v)));
  const list = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`;
  return valueWhere((value) => values.includes(value as V[number]), list ?? "");
}

/**
 * An array whose items each pass `item` (paths like `budgets[0].limit`).
 * @param item - The rule of one item.
 * @param expected - What the array is, for the message when the value is not an array.
 */
export function arrayOf<T>(item: OptionRule<T>, expected: string): OptionRule<readonly T[]> {
  return (value, path, report) => {
    if (!Array.isArray(value)) {
      report(path, `must be ${expected}, got ${describeValue(value)}`);
      return value as readonly T[];
    }
    return value.map((entry, index) => item(entry, `${path}[${index}]`, report));
  };
}
