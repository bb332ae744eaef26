/**
 * Brands that identify our error classes across copies of this package. `instanceof` fails when
 * both the ESM and the CommonJS build are loaded (each has its own classes), so every error
 * carries one `Symbol.for` key per class in its chain: the global symbol registry is shared by
 * both copies. A subclass constructor runs its parents' first, so it carries their brands too.
 *
 * A new error class calls `brandError(this, "Name")` in its constructor and exports
 * `isName = brandGuard<Name>("Name")` beside itself.
 */

const brandKey = (name: string): symbol => Symbol.for(`msgraph-software-update-status/${name}`);

/**
 * Marks `error` as an instance of the class `name`. Call it in that class's constructor.
 * @param error - The error under construction.
 * @param name - Its class's brand.
 */
export function brandError(error: Error, name: string): void {
  Object.defineProperty(error, brandKey(name), { value: true, enumerable: false });
}

/**
 * Returns a type guard for the class `name` that also recognises errors made by another copy
 * of this package (where `instanceof` is false).
 * @param name - The class's brand.
 */
export function brandGuard<T extends Error>(name: string): (value: unknown) => value is T {
  const key = brandKey(name);
  return (value: unknown): value is T =>
    typeof value === "object" && value !== null && (value as { readonly [key: symbol]: unknown })[key] === true;
}
