import type { Command } from 'commander';
import { HEALTHCHECK_USAGE, main } from './healthcheck.js';

/** Registered for `docsift --help`; bin/docsift.js runs healthcheck.ts directly without commander. */
export function register(cmd: Command): void {
  cmd
    .description(HEALTHCHECK_USAGE)
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(() => main(process.argv.slice(3)));
}
