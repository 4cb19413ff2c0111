import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

export interface ConfigOrExitOptions {
  /** Values that win over the environment. */
  overrides?: Record<string, string | undefined>;
  /** Settings this command cannot run without, with the reason shown when one is unset. */
  require?: Partial<Record<keyof Config, string>>;
  /**
   * @defaultValue 2, the worker's start-up contract (README); the ops commands pass 1, their
   * "could not run" (docs/operations.md).
   */
  exitCode?: number;
}

/**
 * The one way a command loads its configuration: on any problem it prints one line per problem
 * (naming the variable, the value and the rule) and exits.
 */
export function configOrExit(options: ConfigOrExitOptions = {}): Config {
  const result = loadConfig(options.overrides ?? {});
  const problems = result.ok ? missing(result.config, options.require ?? {}) : result.problems;
  if (result.ok && problems.length === 0) return result.config;
  process.stderr.write(`docsift: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`);
  for (const p of problems) process.stderr.write(`  ${p}\n`);
  process.exit(options.exitCode ?? 2);
}

function missing(config: Config, required: Partial<Record<keyof Config, string>>): string[] {
  return Object.entries(required)
    .filter(([name]) => config[name as keyof Config] === undefined)
    .map(([name, why]) => `${name}=(unset): ${why}`);
}
