const objectCtorSource = Function.prototype.toString.call(Object);

/**
 * Whether a value is a plain object: an object literal, `JSON.parse` output, `Object.create(null)`,
 * or one from another realm (an iframe). Arrays, class instances, `Map`s, `Date`s, boxed
 * primitives and functions are not.
 * @param value - Any value.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  // Another realm's Object.prototype: its constructor is that realm's native `Object`.
  if (typeof proto !== "object" || Object.getPrototypeOf(proto) !== null) return false;
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  return typeof ctor === "function" && Function.prototype.toString.call(ctor) === objectCtorSource;
}
