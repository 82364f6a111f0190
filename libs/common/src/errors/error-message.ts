/**
 * The message of anything thrown: `error.message` when it has a string one (also for errors from another
 * realm, which are not `instanceof Error` there), else `String(error)`.
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
