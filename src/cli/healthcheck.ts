import { pathToFileURL } from 'node:url';
import { heartbeatEnv } from '../config/heartbeat.env.js';
import { checkHeartbeats, describeReport } from '../observability/heartbeat-check.js';

/**
 * `docsift healthcheck`: the exec liveness probe. It runs every few seconds in every pod, so it
 * loads node:fs and nothing else of note (no commander, no zod, no SDK); bin/docsift.js imports
 * this module directly for it.
 */
export const HEALTHCHECK_USAGE = `Usage: docsift healthcheck [--max-age <seconds>] [--dir <path>]

Exits 0 when every heartbeat file in HEARTBEAT_DIR is younger than --max-age (default
HEARTBEAT_MAX_AGE, 60 s); otherwise exits 1 and names the stale one. Exit 2: bad arguments.`;

export interface HealthcheckResult {
  code: 0 | 1 | 2;
  line: string;
}

export function healthcheck(args: string[], env: NodeJS.ProcessEnv = process.env, now = Date.now()): HealthcheckResult {
  const defaults = heartbeatEnv(env);
  let dir = defaults.dir;
  let maxAge = defaults.maxAgeSeconds;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--max-age') {
      const v = Number(value());
      if (!Number.isFinite(v) || v <= 0) return { code: 2, line: `--max-age must be a positive number of seconds\n${HEALTHCHECK_USAGE}` };
      maxAge = v;
    } else if (flag === '--dir') {
      const v = value();
      if (!v) return { code: 2, line: `--dir needs a path\n${HEALTHCHECK_USAGE}` };
      dir = v;
    } else if (flag === '-h' || flag === '--help') {
      return { code: 0, line: HEALTHCHECK_USAGE };
    } else {
      return { code: 2, line: `unknown argument ${arg}\n${HEALTHCHECK_USAGE}` };
    }
  }
  const report = checkHeartbeats(dir, maxAge, now);
  return { code: report.ok ? 0 : 1, line: describeReport(report, maxAge) };
}

export function main(args: string[]): void {
  const { code, line } = healthcheck(args);
  (code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
  process.exitCode = code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
