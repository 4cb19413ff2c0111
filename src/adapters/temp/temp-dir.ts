import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Who owns a TEMP_DIR: the sweep and the poison journal assume one worker process per directory. */
export const OWNER_FILE = 'owner.json';

/**
 * A directory the worker must write into: created if missing, then proven writable by writing and
 * removing a file. Returns one line saying what is wrong, or null.
 */
export async function writableDirProblem(name: string, path: string): Promise<string | null> {
  try {
    const found = await stat(path).catch(() => null);
    if (found && !found.isDirectory()) return `${name}=${path} exists and is not a directory`;
    if (!found) await mkdir(path, { recursive: true, mode: 0o700 });
    const probe = join(path, `.write-check-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return `${name}=${path} is not a writable directory (${code || (err as Error).message})`;
  }
}

/** Start time of a process (clock ticks since boot) from /proc, so a reused pid is not taken for the owner. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims TEMP_DIR for this process. In a pod it is an emptyDir of its own; on a shared machine the
 * default ($TMPDIR/docsift) could be in use by another live worker, whose files the start-up sweep
 * must not remove. Returns a problem line when another live docsift process owns it.
 */
export async function claimTempDir(path: string): Promise<string | null> {
  const file = join(path, OWNER_FILE);
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as { pid?: number; start?: string | null };
    if (typeof owner.pid === 'number' && owner.pid !== process.pid && alive(owner.pid) && (owner.start ?? null) === startTime(owner.pid)) {
      return `TEMP_DIR=${path} is in use by another docsift process (pid ${owner.pid}): give each worker its own TEMP_DIR`;
    }
  } catch {
    // No owner yet, or an unreadable file: ours now.
  }
  await writeFile(file, JSON.stringify({ pid: process.pid, start: startTime(process.pid) }), { mode: 0o600 });
  return null;
}

/**
 * Removes what a previous process left in TEMP_DIR (a download it was holding when it died,
 * native OCR scratch directories), everything but the names in `keep`. Returns how many entries
 * went.
 */
export async function sweepTempDir(path: string, keep: readonly string[]): Promise<number> {
  let removed = 0;
  for (const name of await readdir(path)) {
    if (keep.includes(name)) continue;
    await rm(join(path, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
