/** Child process: node --import tsx bench/children/generate-corpus.ts '{"dir","documents","mix","seed","shard","shards"}' */
import { generateShard } from '../corpus/generate.js';
import type { Mix } from '../corpus/plan.js';

const a = JSON.parse(process.argv[2] ?? '{}') as { dir: string; documents: number; mix: Mix; seed: number; shard: number; shards: number };
generateShard(a.dir, a.documents, a.mix, a.seed, a.shard, a.shards).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`corpus generation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
