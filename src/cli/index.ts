// First: `run` catches SIGTERM before anything else loads.
import './early-signals.js';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

/**
 * Command-line entry. Each command lives in its own `*.command.ts` and is imported only when it
 * runs, so `docsift healthcheck` (the liveness probe, run every few seconds) loads almost nothing.
 */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ register: (cmd: Command) => void }>;
}

const commands: CommandEntry[] = [
  { name: 'run', summary: 'run the worker, configured by environment variables', load: () => import('./run.command.js') },
  { name: 'healthcheck', summary: 'liveness probe: exit 0 when every heartbeat is fresh (--max-age S), else 1 naming the stale one', load: () => import('./healthcheck.command.js') },
  { name: 'config', summary: 'check the configuration, or print its reference', load: () => import('./config.command.js') },
  { name: 'dlq', summary: 'DLQ: counts by error class (stats), move messages back by class (redrive)', load: () => import('./dlq.command.js') },
  { name: 'backfill', summary: 'enqueue a job per object already in S3 (ListObjectsV2 or an S3 Inventory); resumable, rate-limited, --skip-unchanged', load: () => import('./backfill.command.js') },
  { name: 'reconcile', summary: 'compare a bucket with the index: missing, stale and orphaned documents; --fix repairs them', load: () => import('./reconcile.command.js') },
  { name: 'restart', summary: 'rollout restart of a deployment, like kubectl rollout restart; --wait follows it', load: () => import('./restart.command.js') },
  { name: 'capacity', summary: 'plan capacity: simulate KEDA + HPA on a backlog; drain time, peak pods and nodes, cost', load: () => import('./capacity.command.js') },
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('docsift').description('SQS → S3 → text → OpenSearch document worker').version(version());
  const wanted = argv[2];
  for (const entry of commands) {
    const cmd = program.command(entry.name).summary(entry.summary);
    if (entry.name === wanted) (await entry.load()).register(cmd);
    else cmd.allowUnknownOption().helpOption(false);
  }
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`docsift: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
