import picomatch from 'picomatch';

/**
 * Glob matching of object keys (picomatch), with a guard against patterns whose regular
 * expression backtracks for too long on a 1 KiB key.
 *
 * picomatch compiles globs to backtracking regular expressions. Measured on Node 24 with 1 KiB
 * adversarial keys: a segment with two `*` (`**\/*a*b`) matches in under 1 ms, three (`*a*a*b`) in
 * ~170 ms, four in ~48 s; two `**` with starred segments (`**\/*a*b/**\/*b`) ~5 ms, three `**`
 * (`**\/a/**\/a/**\/a/b`) ~100 ms, four ~12 s. A key is anyone's upload, so patterns are held to at
 * most two `*` per segment, two `**` and four wildcards in all; extglobs (`+(a|b)`) are off.
 */
const OPTIONS = { dot: true, noextglob: true, strictBrackets: true } as const;
const LIMITS = { starsPerSegment: 2, globstars: 2, wildcards: 4, length: 256 };

/** Why a glob is refused, or null when it is accepted. */
export function globProblem(pattern: string): string | null {
  if (pattern.length > LIMITS.length) return `longer than ${LIMITS.length} characters`;
  if (pattern.startsWith('!')) return 'negation (!) is not supported: list the keys to leave out in EXCLUDE_KEYS';
  let globstars = 0;
  let wildcards = 0;
  for (const segment of pattern.split('/')) {
    if (segment === '**') {
      globstars += 1;
      wildcards += 1;
      continue;
    }
    const stars = (segment.match(/\*+/g) ?? []).length;
    if (segment.includes('**')) return `"**" must be a whole path segment (as in a/**/b), not part of "${segment}"`;
    if (stars > LIMITS.starsPerSegment) return `more than ${LIMITS.starsPerSegment} "*" in the segment "${segment}"`;
    wildcards += stars;
  }
  if (globstars > LIMITS.globstars) return `more than ${LIMITS.globstars} "**" segments`;
  if (wildcards > LIMITS.wildcards) return `more than ${LIMITS.wildcards} wildcards in all`;
  try {
    picomatch.makeRe(pattern, OPTIONS);
  } catch (err) {
    return (err as Error).message;
  }
  return null;
}

/** Compiles an accepted glob (check it with globProblem first) into a key matcher. */
export function compileGlob(pattern: string): (key: string) => boolean {
  const problem = globProblem(pattern);
  if (problem) throw new Error(`glob "${pattern}": ${problem}`);
  return picomatch(pattern, OPTIONS);
}
