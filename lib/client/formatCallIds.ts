/** The identifiers a support case needs. */
export interface CallIds {
  /** Graph's `request-id`, when a response came. */
  readonly requestId: string | null;
  /** The `client-request-id` that was sent. */
  readonly clientRequestId: string;
  /** The response date, or when the failure was seen. */
  readonly date: Date;
}

/**
 * Appends ` (request-id: …, client-request-id: …, date: …)` to a message.
 * @param message - The message.
 * @param ids - The identifiers.
 */
export function withCallIds(message: string, ids: CallIds): string {
  const date = Number.isNaN(ids.date.getTime()) ? "unknown" : ids.date.toISOString();
  return `${message} (request-id: ${ids.requestId ?? "unknown"}, client-request-id: ${ids.clientRequestId}, date: ${date})`;
}
