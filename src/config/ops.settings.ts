import { int, num, text } from './setting.js';
import type { Rule } from './rule.js';

/** DLQ tools, rollout restart and the capacity planner: the settings of `docsift dlq|restart|capacity`. */
export const opsSettings = {
  DLQ_STATS_SAMPLE: int(1, 100_000, 1000, { unit: 'messages', doc: '`docsift dlq stats`: messages read from the DLQ when --sample is not given' }),
  DLQ_READ_VISIBILITY: int(2, 43_200, 30, {
    unit: 's',
    doc: 'Visibility of DLQ messages `dlq stats`/`dlq redrive` hold, extended while they run and reset to 0 when they end; after a crash they reappear this much later',
  }),
  DLQ_READ_WAIT_SECONDS: int(0, 20, 1, { unit: 's', doc: 'Long-poll wait of each DLQ read; the read ends at the first empty answer' }),
  DLQ_REDRIVE_RATE: num(0.1, 3000, 50, { unit: 'messages/s', doc: '`docsift dlq redrive`: send rate when --rate is not given' }),
  DLQ_REDRIVE_WAIT_TIMEOUT: int(1, 86_400, 3600, { unit: 's', doc: '`docsift dlq redrive --wait`: longest wait for a StartMessageMoveTask to finish' }),
  RESTART_DEPLOYMENT: text(undefined, { doc: '`docsift restart`: deployment restarted when --deployment is not given (the CronJob sets it)' }),
  K8S_NAMESPACE: text(undefined, {
    doc: '`docsift restart`: namespace when --namespace is not given',
    defaultText: "the pod's own namespace in a cluster, else the kubeconfig context's, else default",
  }),
  ROLLOUT_TIMEOUT: int(1, 86_400, 600, { unit: 's', doc: '`docsift restart --wait`: longest wait for the rollout to complete' }),
  KUBECONFIG: text(undefined, { doc: 'kubeconfig file used outside a cluster', defaultText: '~/.kube/config' }),
  KUBERNETES_SERVICE_HOST: text(undefined, { doc: 'Set by Kubernetes in every pod; when present `docsift restart` uses the in-cluster service account' }),
  CAPACITY_NODE_PRICE_HOURLY: num(0, 1000, 0.0416, {
    unit: 'USD/h',
    doc: '`docsift capacity`: node price when --node-price is not given (t3.medium on-demand, us-east-1)',
  }),
};

export const opsRules: Rule[] = [];
