import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../children/spawn.js';

export function packageVersion(name: string): string | null {
  const path = join(ROOT, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export function git(args: string[]): Promise<string | null> {
  return new Promise((res) => {
    const child = spawn('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => res(null));
    child.on('exit', (code) => res(code === 0 ? out.trim() : null));
  });
}

