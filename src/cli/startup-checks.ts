import { claimTempDir, writableDirProblem } from '../adapters/temp/temp-dir.js';
import type { Config } from '../config/schema.js';

/**
 * What must hold before `docsift run` starts anything: TEMP_DIR and HEARTBEAT_DIR are writable
 * directories, and TEMP_DIR is this worker's alone. Otherwise every message would fail one by one
 * (a temp file cannot be written) or liveness would fail later; better to stop now, with one line
 * each.
 */
export async function startupProblems(config: Config): Promise<string[]> {
  const problems = (await Promise.all([writableDirProblem('TEMP_DIR', config.TEMP_DIR), writableDirProblem('HEARTBEAT_DIR', config.HEARTBEAT_DIR)])).filter(
    (p): p is string => p !== null,
  );
  if (problems.length > 0) return problems;
  const claimed = await claimTempDir(config.TEMP_DIR);
  return claimed ? [claimed] : [];
}
