import { PatchStrategy, setHeaderOptions, type AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { DocsiftError } from '../../domain/errors.js';
import { restartPatch, type DeploymentSnapshot } from '../../domain/rollout-status.js';
import type { DeploymentRollout } from '../../ports/deployment-rollout.port.js';

type Apps = Pick<AppsV1Api, 'patchNamespacedDeployment' | 'readNamespacedDeployment'>;

/** client-node 2.x throws ApiException with `code` and `body`; connection faults carry a Node error code. */
function translate(err: unknown, what: string): DocsiftError {
  const e = err as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string } };
  const status = typeof e.code === 'number' ? e.code : undefined;
  let detail = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      detail = (JSON.parse(e.body) as { message?: string }).message ?? detail;
    } catch {
      /* body is not a Status object */
    }
  }
  const text = `${what}: ${status ? `HTTP ${status}: ` : ''}${detail}`.slice(0, 500);
  if (status === 404) return new DocsiftError('not_found', 'receive', text, { cause: err });
  if (status === 401 || status === 403) return new DocsiftError('access_denied', 'receive', text, { cause: err });
  if (status === 429) return new DocsiftError('throttled', 'receive', text, { cause: err });
  if (status === undefined && (typeof e.code === 'string' || e.cause?.code)) return new DocsiftError('connection', 'receive', text, { cause: err });
  return new DocsiftError('internal', 'receive', text, { cause: err });
}

function snapshot(d: V1Deployment): DeploymentSnapshot {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  return {
    name: d.metadata?.name ?? '',
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    specReplicas: d.spec?.replicas ?? null,
    replicas: d.status?.replicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    unavailableReplicas: d.status?.unavailableReplicas ?? 0,
    progressingReason: progressing?.reason ?? null,
  };
}

/** `kubectl rollout restart` and `rollout status` through AppsV1Api (client built by the caller). */
export class KubernetesRollout implements DeploymentRollout {
  constructor(private readonly apps: Apps) {}

  async restart(namespace: string, name: string, restartedAt: Date): Promise<{ generation: number }> {
    try {
      // 2.x picks application/json-patch+json by default; a strategic merge patch must say so in the header.
      const d = await this.apps.patchNamespacedDeployment(
        { name, namespace, body: restartPatch(restartedAt), fieldManager: 'docsift' },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      return { generation: d.metadata?.generation ?? 0 };
    } catch (err) {
      throw translate(err, `patch deployment ${namespace}/${name}`);
    }
  }

  async read(namespace: string, name: string): Promise<DeploymentSnapshot> {
    try {
      return snapshot(await this.apps.readNamespacedDeployment({ name, namespace }));
    } catch (err) {
      throw translate(err, `read deployment ${namespace}/${name}`);
    }
  }
}
