import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_EVENTS } from '../../../src/ports/logger.port.js';

const SRC = new URL('../../../src', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('log event names', () => {
  // The compiler rejects a name outside the union at every logger call; this keeps the union free of names nothing writes.
  const text = sources(SRC)
    .filter((f) => !f.endsWith('logger.port.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  it.each(LOG_EVENTS)('%s is written somewhere in src', (name) => {
    expect(text).toMatch(new RegExp(`event: '${name}'|warn\\('${name}'`));
  });
});
