/**
 * A fresh `client-request-id`: a random UUID v4. Uses `crypto.randomUUID()` where the runtime has
 * it (browsers in secure contexts, Node 19+); otherwise builds one from `getRandomValues`, or
 * from `Math.random` as a last resort (Node 18 has no global `crypto`). The id only correlates
 * logs, so it needs uniqueness, not secrecy.
 */
export function newClientRequestId(): string {
  const crypto = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
