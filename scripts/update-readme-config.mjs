// Regenerates the configuration reference in README.md from the settings schema (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';

const { configReferenceMarkdown } = await import('../dist/cli/config.command.js');
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const start = '<!-- config:start -->';
const end = '<!-- config:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no config markers');
writeFileSync(path, `${readme.slice(0, a + start.length)}\n${configReferenceMarkdown()}\n${readme.slice(b)}`);
console.log('README.md configuration reference updated');
