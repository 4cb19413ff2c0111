import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterDeath, type JournalEntry, type SuspectRecord } from '../../domain/poison.js';
import type { InflightJournal } from '../../ports/inflight-journal.port.js';

/** The journal's directory under TEMP_DIR, which the start-up sweep of temp files leaves alone. */
export const JOURNAL_DIR = 'inflight-journal';
/** Entries of messages that never came back (deleted, or redelivered to another pod) are dropped after this. */
const MAX_AGE_MS = 24 * 3600 * 1000;

interface Stored extends JournalEntry {
  id: string;
}

const fileOf = (dir: string, id: string) => join(dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`);

/**
 * One small JSON file per message being processed (or suspected), on the temp volume: an
 * emptyDir outlives the container, so the next process of the same pod reads what the dead one
 * left. Written with plain writes, no fsync: the files must survive the process, not the node.
 */
export class FileInflightJournal implements InflightJournal {
  private constructor(
    private readonly dir: string,
    private readonly suspects: Map<string, SuspectRecord>,
  ) {}

  /** Opens the journal under `tempDir`, turning what a dead process left into suspect records. */
  static async open(tempDir: string, now = Date.now()): Promise<FileInflightJournal> {
    const dir = join(tempDir, JOURNAL_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const suspects = new Map<string, SuspectRecord>();
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (!name.endsWith('.json')) {
        await rm(path, { force: true }); // a write cut short by the death
        continue;
      }
      const entry = await readEntry(path);
      if (!entry || now - (await stat(path)).mtimeMs > MAX_AGE_MS) {
        await rm(path, { force: true });
        continue;
      }
      const record = afterDeath(entry);
      suspects.set(entry.id, record);
      if (entry.running) await write(path, { id: entry.id, ...record, running: false, isolated: false });
    }
    return new FileInflightJournal(dir, suspects);
  }

  /** Messages with a crash history, for the start-up log. */
  get suspectCount(): number {
    return this.suspects.size;
  }

  suspect(messageId: string): SuspectRecord | undefined {
    return this.suspects.get(messageId);
  }

  async begin(messageId: string, isolated: boolean): Promise<void> {
    const known = this.suspects.get(messageId) ?? { crashes: 0, diedAlone: false };
    await write(fileOf(this.dir, messageId), { id: messageId, ...known, running: true, isolated });
  }

  async end(messageId: string): Promise<void> {
    this.suspects.delete(messageId);
    await rm(fileOf(this.dir, messageId), { force: true });
  }
}

async function readEntry(path: string): Promise<Stored | null> {
  try {
    const e = JSON.parse(await readFile(path, 'utf8')) as Partial<Stored>;
    if (typeof e.id !== 'string' || typeof e.crashes !== 'number') return null;
    return { id: e.id, crashes: e.crashes, diedAlone: e.diedAlone === true, running: e.running === true, isolated: e.isolated === true };
  } catch {
    return null; // not an entry: nothing to learn from it
  }
}

/** Write, then rename: a death mid-write leaves the previous entry (or a stray .tmp), never half of one. */
async function write(path: string, entry: Stored): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(entry), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
