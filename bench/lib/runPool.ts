/** Outcome counts of one pool run. */
export interface PoolResult {
  /** Tasks that resolved. */
  readonly succeeded: number;
  /** Tasks that rejected, with one sample error message per error name. */
  readonly failed: number;
  /** Error names and how often each was seen. */
  readonly errors: Readonly<Record<string, number>>;
  /** Wall time in milliseconds. */
  readonly wallMs: number;
}

/**
 * Runs `count` tasks with at most `concurrency` in flight and counts outcomes.
 * @param count - How many tasks.
 * @param concurrency - How many at once.
 * @param task - The task for index i.
 * @param onSettled - Called after each task settles (for progress).
 */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
  onSettled?: (ok: boolean) => void,
): Promise<PoolResult> {
  let next = 0;
  let succeeded = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
        succeeded++;
        onSettled?.(true);
      } catch (error) {
        failed++;
        const name = describeError(error);
        errors[name] = (errors[name] ?? 0) + 1;
        onSettled?.(false);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { succeeded, failed, errors, wallMs: performance.now() - started };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof status === "number" && status > 0 ? ` ${status}` : ""}${typeof code === "string" ? ` ${code}` : ""}`;
  }
  return typeof error;
}
