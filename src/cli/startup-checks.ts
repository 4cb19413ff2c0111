import { claimTempDir, writableDirProblem } from '../adapters/temp/temp-dir.js';
import { sandboxFitProblem } from '../config/sandbox.settings.js';
import type { Config } from '../config/schema.js';

/**
 * What must hold before `docsift run` starts anything: TEMP_DIR and HEARTBEAT_DIR are writable
 * directories, TEMP_DIR is this worker's alone, and the extraction sandboxes fit in the container. Otherwise every message would fail one by one
 * (a temp file cannot be written) or liveness would fail later; better to stop now, with one line
 * each.
 */
export async function startupProblems(config: Config): Promise<string[]> {
  const fit = sandboxFitProblem(config);
  if (fit) return [fit];
  const problems = (await Promise.all([writableDirProblem('TEMP_DIR', config.TEMP_DIR), writableDirProblem('HEARTBEAT_DIR', config.HEARTBEAT_DIR)])).filter(
    (p): p is string => p !== null,
  );
  if (problems.length > 0) return problems;
  const claimed = await claimTempDir(config.TEMP_DIR);
  return claimed ? [claimed] : [];
}
