import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { benchMessagesPerMinute } from '../../domain/capacity/throughput.js';
import type { MeasuredThroughput, ThroughputSource } from '../../ports/throughput-source.port.js';

/** The newest `*.json` in the bench results directory (by modification time) that carries a rate. */
export class BenchResultsThroughput implements ThroughputSource {
  constructor(private readonly dir: string) {}

  async latest(): Promise<MeasuredThroughput | null> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch {
      return null; // no results directory yet
    }
    const files = await Promise.all(names.map(async (n) => ({ path: join(this.dir, n), mtime: (await stat(join(this.dir, n))).mtimeMs })));
    files.sort((a, b) => b.mtime - a.mtime || b.path.localeCompare(a.path));
    for (const f of files) {
      try {
        const rate = benchMessagesPerMinute(JSON.parse(await readFile(f.path, 'utf8')));
        if (rate !== null) return { perPodPerMinute: rate, source: `${f.path} (runs.default.messagesPerMinute)` };
      } catch {
        /* unreadable or not JSON: try the next newest */
      }
    }
    return null;
  }
}
