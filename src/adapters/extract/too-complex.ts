import { DocsiftError } from '../../domain/errors.js';

/**
 * A reader that recursed past the stack (deeply nested XML, HTML or PDF structures) fails the same
 * way every time: permanent `too_complex`, not a retryable `internal` nor a misleading
 * `corrupt_file` (the file may be well-formed, only deeper than any reader can follow).
 */
export function tooComplexIfStackOverflow(err: unknown, what: string): DocsiftError | null {
  if (err instanceof RangeError && /call stack size exceeded/i.test(err.message)) {
    return new DocsiftError('too_complex', 'extract', `${what}: structure nested too deeply (stack overflow)`, { cause: err });
  }
  return null;
}
