import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

/** Loads the configuration or exits 2 with one line per problem (naming variable, value and rule). */
export function configOrExit(overrides: Record<string, string | undefined> = {}): Config {
  const result = loadConfig(overrides);
  if (result.ok) return result.config;
  process.stderr.write(`docsift: invalid configuration (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):\n`);
  for (const p of result.problems) process.stderr.write(`  ${p}\n`);
  process.exit(2);
}
