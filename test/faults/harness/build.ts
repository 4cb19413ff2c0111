import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (test/faults/harness → ../../..). */
export const ROOT = resolve(import.meta.dirname, '../../..');
/**
 * The fault suite runs the worker as a real child from a private build of the current sources, so
 * a stale or half-written `dist/` (other people build it too) never decides a result. Inside the
 * repository so the child resolves node_modules exactly like `bin/docsift.js` does.
 */
export const BUILD_DIR = join(ROOT, '.tmp', 'faults-dist');
export const ENTRY = join(BUILD_DIR, 'cli', 'index.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles src/ into BUILD_DIR when any source is newer than the build; serialised with flock. */
export function ensureBuilt(): string {
  const stale = () => !existsSync(ENTRY) || statSync(ENTRY).mtimeMs < newestMtime(join(ROOT, 'src'));
  if (!stale()) return ENTRY;
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere in the tree must not stop the suite: tsc still emits, and the suite's
  // own typecheck is `npm run typecheck`. `|| true` keeps the emitted output.
  execFileSync(
    'flock',
    [join(ROOT, '.tmp', 'faults-build.lock'), 'sh', '-c', `"${process.execPath}" "${tsc}" -p tsconfig.build.json --outDir "${BUILD_DIR}" >/dev/null 2>&1 || true; touch "${ENTRY}"`],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (!existsSync(ENTRY)) throw new Error(`build produced no ${ENTRY}`);
  return ENTRY;
}
