/**
 * Whether the code runs in Node.js (or a runtime that presents itself as Node). Read from
 * `globalThis.process` so nothing from Node is imported: the official factory's check
 * (`typeof require === "function"`) is false under ESM.
 */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof proc?.versions?.node === "string";
}
