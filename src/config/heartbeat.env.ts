import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The two settings `docsift healthcheck` needs, read without the schema: the liveness probe runs
 * every few seconds and must not load zod or the rest of the configuration. runtime.settings.ts
 * declares the same variables with these defaults, so both readers agree.
 */
export const HEARTBEAT_DIR_DEFAULT = join(tmpdir(), 'docsift-heartbeat');
export const HEARTBEAT_MAX_AGE_DEFAULT = 60;

export function heartbeatEnv(env: NodeJS.ProcessEnv = process.env): { dir: string; maxAgeSeconds: number } {
  const dir = env.HEARTBEAT_DIR?.trim() || HEARTBEAT_DIR_DEFAULT;
  const age = Number(env.HEARTBEAT_MAX_AGE?.trim() || HEARTBEAT_MAX_AGE_DEFAULT);
  return { dir, maxAgeSeconds: Number.isFinite(age) && age > 0 ? age : HEARTBEAT_MAX_AGE_DEFAULT };
}
