import { it } from 'vitest';
import { World } from './harness/world.js';
it('dbg', async () => {
  const world = await World.create();
  const w = world.startWorker({ MAX_INFLIGHT: '8', RETRY_BASE_SECONDS: '2', RETRY_MAX_SECONDS: '8', BULK_MAX_RETRIES: '5' });
  await w.waitForLog((l) => l.event === 'startup', 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  world.double.requestFault = 503;
  await world.seedCorpus(20, 11);
  await new Promise((r) => setTimeout(r, 10000));
  world.double.requestFault = null;
  await new Promise((r) => setTimeout(r, 20000));
  console.log('DOCS', world.double.docs.size, world.double.requests.map((r) => `${r.at % 100000}:${r.status}:${r.items}`).join(' '));
  console.log(w.stdout.split('\n').filter((l) => !l.includes('job_start')).map((l) => l.slice(0, 400)).join('\n').slice(-6000));
  console.log('ERR', w.stderr.slice(-2000));
  await world.close();
}, 60000);
