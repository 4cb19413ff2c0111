import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { endpointFor, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { EXIT } from './exit-codes.js';

/** Loads the configuration or prints every problem and exits 1. */
export function configOrExit(): Config {
  const loaded = loadConfig();
  if (!loaded.ok) {
    for (const p of loaded.problems) process.stderr.write(`config: ${p}\n`);
    process.exit(EXIT.error);
  }
  return loaded.config;
}

/** The only SQS client of the ops commands: region and endpoint from the configuration. */
export function sqsClient(config: Config): SQSClient {
  const endpoint = endpointFor(config, 'sqs');
  return new SQSClient({ region: config.AWS_REGION, ...(endpoint ? { endpoint } : {}) });
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** In a pod (KUBERNETES_SERVICE_HOST set) the service account; elsewhere KUBECONFIG or ~/.kube/config. */
export function kubeApps(config: Config): { apps: AppsV1Api; namespace: string; source: string } {
  const kc = new KubeConfig();
  let namespace: string | undefined;
  let source: string;
  if (config.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    source = 'in-cluster service account';
    try {
      namespace = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
    } catch {
      namespace = undefined;
    }
  } else {
    const file = config.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new Error(`cannot load kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)} (set KUBECONFIG, or run in a pod)`);
    }
    source = `kubeconfig ${file} (context ${kc.getCurrentContext()})`;
    namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  }
  return { apps: kc.makeApiClient(AppsV1Api), namespace: config.K8S_NAMESPACE ?? namespace ?? 'default', source };
}

/** Parses a positive integer flag or throws a message naming it. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got "${value}"`);
    return n;
  };
}

export function positiveNumber(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value.replace(/\/s$/, ''));
    if (!Number.isFinite(n) || n <= min) throw new Error(`${name} must be a number > ${min}, got "${value}"`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got "${value}"`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got "${value}"`);
    return n;
  };
}

/** Progress on one line, only when stderr is a terminal (CronJob logs get the summary line only). */
export function progressLine(): { update: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update: (text) => {
      if (!tty) return;
      process.stderr.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

/**
 * An AbortSignal raised by the first SIGTERM (a CronJob being stopped) or SIGINT, so a run can
 * give back the messages it holds before it exits; a second signal exits at once.
 */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (name: string) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`${name}: finishing the batch in hand and giving held messages back (again to exit now)\n`);
    controller.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return controller.signal;
}
