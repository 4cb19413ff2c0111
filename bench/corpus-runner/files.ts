import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface CorpusFile {
  /** Path under the corpus directory, `/`-separated: the S3 key. */
  key: string;
  path: string;
  bytes: number;
}

/** Every regular file under `dir` (dotfiles and dot-directories skipped), in a stable order. */
export async function listCorpus(dir: string): Promise<CorpusFile[]> {
  const out: CorpusFile[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push({ key: relative(dir, path).split(sep).join('/'), path, bytes: (await stat(path)).size });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
