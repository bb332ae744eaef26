import type { AuthenticationProvider } from "@microsoft/microsoft-graph-client";

/**
 * An official `AuthenticationProvider` that always returns the same token, or whatever a
 * function returns on each call (to switch tenants or simulate a refresh).
 * @param token - The token, or a function returning it.
 */
export function staticTokenProvider(token: string | (() => string | Promise<string>)): AuthenticationProvider {
  return {
    async getAccessToken(): Promise<string> {
      return typeof token === "function" ? await token() : token;
    },
  };
}
