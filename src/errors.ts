/**
 * An error caused by the caller's input or environment (a malformed CSV, an unknown column, an
 * option out of range, a missing GPU driver). The command line prints its message alone, without a
 * stack trace, because the message already states what is wrong and how to fix it.
 */
export class MimicError extends Error {
  override name = 'MimicError';
}

/** Throws a MimicError with `message` unless `condition` holds. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new MimicError(typeof message === 'string' ? message : message());
}
