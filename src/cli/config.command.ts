import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { settings } from '../config/schema.js';
import { metaOf } from '../config/setting.js';
import type { z } from 'zod';

function defaultOf(schema: z.ZodType): string {
  const parsed = schema.safeParse(undefined);
  if (parsed.success && parsed.data !== undefined) return Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data);
  return '';
}

/** The configuration reference, generated from the schema so it cannot drift from the code. */
export function configReferenceMarkdown(): string {
  const lines = ['| Variable | Default | Unit | Meaning |', '| --- | --- | --- | --- |'];
  for (const [name, schema] of Object.entries(settings)) {
    const meta = metaOf(schema as z.ZodType);
    const def = meta?.defaultText ?? defaultOf(schema as z.ZodType);
    lines.push(`| \`${name}\` | ${def === '' ? '—' : `\`${def}\``} | ${meta?.unit ?? ''} | ${(meta?.doc ?? '').replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export function register(cmd: Command): void {
  cmd
    .description('Check the configuration in the environment (exit 2 on problems), or print its reference')
    .option('--markdown', 'print the configuration reference as a Markdown table')
    .action((opts: { markdown?: boolean }) => {
      if (opts.markdown) {
        console.log(configReferenceMarkdown());
        return;
      }
      const result = loadConfig();
      if (!result.ok) {
        for (const p of result.problems) console.error(p);
        process.exit(2);
      }
      console.log('configuration ok');
    });
}
