import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { endpointFor } from '../../config/load.js';
import type { Config } from '../../config/schema.js';

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
