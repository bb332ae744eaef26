const MAX_SHOWN = 40;

/**
 * A short, safe description of a value for a validation message, e.g. `string "4"`, `4.5`,
 * `NaN`, `bigint 4n`, `null`, `array`. Long strings are cut so messages stay short.
 * @param value - Any value.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case "bigint":
      return `bigint ${String(value)}n`;
    case "boolean":
      return `boolean ${String(value)}`;
    case "undefined":
      return "undefined";
    case "symbol":
      return "symbol";
    case "function":
      return "function";
    default:
      if (value === null) return "null";
      return Array.isArray(value) ? "array" : "object";
  }
}
