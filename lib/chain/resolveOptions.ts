import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import type { ValidationIssue } from "../errors/ValidationError.js";
import { describeValue } from "./describeValue.js";
import { suggestName } from "./suggestName.js";

/** Receives one problem: where it is (e.g. `budgets[0].limit`) and what is wrong. */
export type ReportIssue = (path: string, message: string) => void;

/**
 * Checks one option value and returns it, normalised where the rule says so. It never sees
 * `undefined` (an option left `undefined` takes its default, or stays unset) unless the option is
 * required. Problems go to `report` under `path`; nested rules extend the path.
 */
export type OptionRule<Out = unknown> = (value: unknown, path: string, report: ReportIssue) => Out;

/** One rule per option of `T`: adding an option to `T` without a rule does not compile. */
export type OptionRules<T> = { readonly [K in keyof T]-?: OptionRule };

type RuleOutput<R> = R extends OptionRule<infer Out> ? Out : never;

/** What {@link resolveOptions} returns: each rule's output, `| undefined` where there is no default. */
export type ResolvedOptions<R, D> = {
  readonly [K in keyof R]: K extends keyof D ? RuleOutput<R[K]> : RuleOutput<R[K]> | undefined;
};

/** How one options type is checked and defaulted. */
export interface OptionSchema<R extends Record<string, OptionRule>, D extends Partial<Record<keyof R, unknown>>> {
  /** Names the options in the error, e.g. "ThrottleHandler options". */
  readonly name: string;
  /** The rule of every option; no other key is accepted. */
  readonly rules: R;
  /** Defaults, as if the user had written them; they go through the rules like any value. */
  readonly defaults: D;
  /** Options that must be given. */
  readonly required?: readonly NoInfer<keyof R & string>[];
  /** Former options, with what replaced them, so an old setting gets a precise message. */
  readonly retired?: Readonly<Record<string, string>>;
  /**
   * Checks between options (e.g. a minimum above a maximum). It runs even when single options
   * failed, so it gets the values as `unknown` and checks their types itself; paths are relative
   * to this object (`""` for the object itself).
   */
  readonly refine?: (options: Readonly<Record<string, unknown>>, report: ReportIssue) => void;
}

/**
 * Binds a schema to an options type: `optionSchema<MyOptions>()({ name, rules, defaults })`. The
 * compiler then requires a rule for every option of `MyOptions` (so a new option cannot be
 * forgotten), while the rules' own types give the resolved values their types.
 */
export function optionSchema<T>() {
  return <R extends OptionRules<T> & Record<string, OptionRule>, D extends Partial<Record<keyof R, unknown>>>(
    schema: OptionSchema<R, D>,
  ): OptionSchema<R, D> => schema;
}

/**
 * The one place where options are defaulted and checked. Merges the defined values of `input`
 * onto `base` (an option set to `undefined` keeps the base value), runs every rule, and throws one
 * {@link InvalidOptionsError} listing every problem: wrong values, missing required options, and
 * unknown keys (with a "did you mean" suggestion).
 * @param schema - The rules of this options type.
 * @param input - What the user passed (`undefined` for nothing).
 * @param base - Values to start from instead of the schema's defaults (e.g. a handler's own options).
 * @throws InvalidOptionsError - Listing every problem found.
 */
export function resolveOptions<R extends Record<string, OptionRule>, D extends Partial<Record<keyof R, unknown>>>(
  schema: OptionSchema<R, D>,
  input: unknown,
  base?: Partial<Record<keyof R, unknown>>,
): ResolvedOptions<R, D> {
  const issues: ValidationIssue[] = [];
  const report: ReportIssue = (path, message) => issues.push({ path: path || "(root)", message });
  const resolved = collectOptions(schema, input === undefined ? {} : input, "", report, base);
  if (issues.length > 0) throw new InvalidOptionsError(schema.name, issues);
  return resolved;
}

/**
 * A rule that resolves a nested options object with its own schema (paths like `adaptive.minRate`).
 * @param schema - The nested object's schema.
 */
export function nestedOptions<R extends Record<string, OptionRule>, D extends Partial<Record<keyof R, unknown>>>(
  schema: OptionSchema<R, D>,
): OptionRule<ResolvedOptions<R, D>> {
  return (value, path, report) => collectOptions(schema, value, path, report);
}

function collectOptions<R extends Record<string, OptionRule>, D extends Partial<Record<keyof R, unknown>>>(
  schema: OptionSchema<R, D>,
  input: unknown,
  path: string,
  report: ReportIssue,
  base: Partial<Record<keyof R, unknown>> = schema.defaults,
): ResolvedOptions<R, D> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    report(path, `must be an object of ${schema.name}, got ${describeValue(input)}`);
    return {} as ResolvedOptions<R, D>;
  }
  const names = Object.keys(schema.rules);
  const merged: Record<string, unknown> = { ...definedOnly(base) };
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(schema.rules, key)) report(join(path, key), unknownOption(key, names, schema.retired));
    else if (value !== undefined) merged[key] = value;
  }
  const resolved: Record<string, unknown> = {};
  for (const name of names) {
    const value = merged[name];
    if (value !== undefined) resolved[name] = (schema.rules[name] as OptionRule)(value, join(path, name), report);
    else if (schema.required?.includes(name) === true) report(join(path, name), "is required");
  }
  schema.refine?.(resolved, (where, message) => report(join(path, where), message));
  return resolved as ResolvedOptions<R, D>;
}

/**
 * Copies an object without its `undefined` values, so they do not replace defaults.
 * @param value - Any options object.
 */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function unknownOption(key: string, names: readonly string[], retired: Readonly<Record<string, string>> | undefined): string {
  const replacement = retired !== undefined && Object.hasOwn(retired, key) ? retired[key] : undefined;
  if (replacement !== undefined) return `is no longer an option: ${replacement}`;
  const suggestion = suggestName(key, names);
  return suggestion === undefined ? `is not an option (known: ${names.join(", ")})` : `is not an option; did you mean \`${suggestion}\`?`;
}

/** `""` as the key means the object itself (a refine check about several of its options). */
function join(path: string, key: string): string {
  if (key === "") return path;
  return path === "" ? key : `${path}.${key}`;
}
