/**
 * Loads a package that only the emulator needs (`undici`, `selfsigned`). They are optional peer
 * dependencies, so a production install of this package does not get them; when one is missing,
 * starting the emulator fails with an error that names it and says how to install it, instead
 * of a bare "Cannot find package".
 * @param name - The package's name, as in `npm install`.
 * @param load - Imports it, e.g. `() => import("undici")` (a literal import keeps its types).
 */
export async function importOptionalPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new Error(
      `msgraph-software-update-status/testing needs the package "${name}" to start the emulator, and it is not installed. ` +
        `It is an optional peer dependency (production code does not need it): run \`npm install --save-dev ${name}\`.`,
      { cause: error },
    );
  }
}

/** True when `error` says that `name` itself (not something inside it) could not be found. */
function isMissing(error: unknown, name: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    (message.includes(`'${name}'`) || message.includes(`"${name}"`))
  );
}
