import { parseAllDocuments } from 'yaml';

/** One rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Parses a multi-document YAML stream (helm template output) into objects, failing on YAML errors. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`a document is not an object: ${JSON.stringify(value).slice(0, 80)}`);
    const obj = value as K8sObject;
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') throw new Error(`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 120)}`);
    objects.push(obj);
  }
  return objects;
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

export function one(objects: K8sObject[], kind: string): K8sObject {
  const found = byKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** `<module specifier>` of the kubernetes-models class/interface for an object (same path for both). */
export function modelModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${kind}`;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Validates an object with its kubernetes-models schema (types, required fields, enums); throws the schema errors. */
export async function validateWithModel(obj: K8sObject): Promise<void> {
  const mod = (await import(modelModule(obj.apiVersion, obj.kind))) as Record<string, ModelClass>;
  const Model = mod[obj.kind];
  if (!Model) throw new Error(`no model class for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

/** Every container (and init container) of a workload's pod template, with the pod spec. */
export function podSpecOf(obj: K8sObject): Record<string, unknown> | undefined {
  const spec = obj.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!spec) return undefined;
  if (obj.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(obj.kind)) return spec.template?.spec;
  if (obj.kind === 'Pod') return spec;
  return undefined;
}
