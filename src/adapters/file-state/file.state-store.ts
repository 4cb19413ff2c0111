import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { StateStore } from '../../ports/state-store.port.js';

const MAX_STATE_BYTES = 1024 * 1024;

/**
 * State documents as files in a local directory (a workstation, `npm start`). A write goes to a
 * fresh temp file, is fsync'd and renamed over the old one, so a kill -9 leaves the old document or
 * the new one, never half of one.
 */
export class FileStateStore implements StateStore {
  constructor(readonly location: string) {}

  private path(name: string): string {
    const path = normalize(join(this.location, name));
    if (!path.startsWith(normalize(this.location + sep)) && path !== normalize(this.location)) throw new Error(`state name ${name} leaves ${this.location}`);
    return path;
  }

  async read(name: string): Promise<string | null> {
    try {
      const path = this.path(name);
      if ((await stat(path)).size > MAX_STATE_BYTES) throw new Error(`state ${name} is larger than 1 MiB`);
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async write(name: string, text: string): Promise<void> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  async list(folder: string, max: number): Promise<string[]> {
    try {
      const names = await readdir(this.path(folder));
      return names.filter((n) => !n.endsWith('.tmp')).sort().slice(0, max).map((n) => `${folder}${n}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
