import { spawn, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root (bench/children/ is two levels down). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a TypeScript entry of bench/ as a child process through tsx; rejects on a non-zero exit. */
export function runTsChild(entry: string, arg: unknown, options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(entry, import.meta.url)), JSON.stringify(arg)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${entry} exited ${code ?? signal}: ${err.slice(-2000)}`));
    });
  });
}
