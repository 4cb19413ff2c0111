import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../../src/cli/config.command.js';
import { settings } from '../../../src/config/schema.js';

describe('README configuration reference', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  it('lists every environment variable the schema declares', () => {
    const missing = Object.keys(settings).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
  it('is the generated table (run `npm run docs:config` after changing a setting)', () => {
    const block = readme.split('<!-- config:start -->')[1]?.split('<!-- config:end -->')[0]?.trim();
    expect(block).toBe(configReferenceMarkdown().trim());
  });
  it('starts the quick start with `npm ci && npm start`, then `npm test`', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'));
    const first = quick.indexOf('npm ci && npm start');
    const second = quick.indexOf('npm test');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
  });
});
