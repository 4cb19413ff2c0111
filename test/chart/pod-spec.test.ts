import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerEnv, expand, quantity, translateContainer, type PodContext } from '../deploy/lib/pod-spec.js';
import { secret } from '../deploy/lib/cluster.js';
import { CHART_DIR, renderChart } from './lib/helm.js';
import { one, parseManifests, podSpecOf } from './lib/manifests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The pod runner of `npm run test:deploy` (test/deploy/lib/pod-spec.ts) turns a rendered pod spec
 * into `podman run` arguments as a kubelet would run the container. Checked here without podman,
 * so a translation mistake cannot make the image suite pass for the wrong reason.
 */
const ctx = (over: Partial<PodContext> = {}): PodContext => ({ image: 'img:1', podName: 'p-1', namespace: 'ns', objects: [], containerName: 'c-1', ...over });
const pod = (container: any, extra: any = {}) => ({ automountServiceAccountToken: false, containers: [{ name: 'c', ...container }], ...extra });
const argsOf = (p: any, c: Partial<PodContext> = {}) => translateContainer(p, 'c', ctx(c)).args;
const after = (args: string[], flag: string) => args.filter((_, i) => args[i - 1] === flag);

describe('pod runner: environment', () => {
  it('applies envFrom in order, then env, which wins on the same name (Kubernetes precedence)', () => {
    const objects = [secret('s', { A: 'from-secret', B: 'secret-only' }), { kind: 'ConfigMap' as const, metadata: { name: 'm' }, data: { A: 'from-configmap', C: 'cm' } }];
    const env = containerEnv({ envFrom: [{ configMapRef: { name: 'm' } }, { secretRef: { name: 's' } }], env: [{ name: 'A', value: 'explicit' }] }, {}, ctx({ objects }));
    expect(env).toMatchObject({ A: 'explicit', B: 'secret-only', C: 'cm' });
    const noEnv = containerEnv({ envFrom: [{ configMapRef: { name: 'm' } }, { secretRef: { name: 's', }, prefix: 'X_' }] }, {}, ctx({ objects }));
    expect(noEnv).toMatchObject({ A: 'from-configmap', X_A: 'from-secret' });
  });

  it('resolves secretKeyRef, fieldRef and $(VAR) references; a missing Secret stops the container', () => {
    const objects = [secret('s', { K: 'v' })];
    const env = containerEnv(
      { env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 's', key: 'K' } } }, { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }, { name: 'J', value: '$(K)-$(NS)-$(NOPE)-$$(K)' }] },
      {},
      ctx({ objects }),
    );
    expect(env).toMatchObject({ K: 'v', NS: 'ns', J: 'v-ns-$(NOPE)-$(K)' });
    expect(() => containerEnv({ envFrom: [{ secretRef: { name: 'absent' } }] }, {}, ctx())).toThrow(/CreateContainerConfigError/);
    expect(containerEnv({ envFrom: [{ secretRef: { name: 'absent', optional: true } }] }, {}, ctx())).toMatchObject({ HOSTNAME: 'p-1' });
    expect(expand('$(A)$(B)', { A: '1' })).toBe('1$(B)');
  });

  it('gives every container the API server variables when the cluster has one', () => {
    const env = containerEnv({}, {}, ctx({ apiServer: { host: '127.0.0.1', port: 6443 } }));
    expect(env).toMatchObject({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443' });
  });
});

describe('pod runner: security, volumes, resources', () => {
  it('translates the restricted security context', () => {
    const args = argsOf(
      pod(
        { securityContext: { runAsUser: 10001, runAsGroup: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
        { securityContext: { runAsNonRoot: true, fsGroup: 10001 } },
      ),
    );
    expect(after(args, '--user')).toEqual(['10001:10001']);
    expect(after(args, '--group-add')).toEqual(['10001']);
    // podman's --read-only alone would mount its own tmpfs on /tmp, /run and /var/tmp; a kubelet does not.
    expect(args).toEqual(expect.arrayContaining(['--read-only', '--read-only-tmpfs=false']));
    expect(after(args, '--cap-drop')).toEqual(['ALL']);
    expect(after(args, '--security-opt')).toEqual(['no-new-privileges']);
    expect(() => argsOf(pod({}, { securityContext: { runAsNonRoot: true } }))).toThrow(/runAsNonRoot/);
  });

  it('mounts emptyDirs as tmpfs of their size limit, and the token only when automounted', () => {
    const spec = pod({ volumeMounts: [{ name: 't', mountPath: '/tmp' }] }, { volumes: [{ name: 't', emptyDir: { sizeLimit: '1Gi' } }] });
    expect(after(argsOf(spec), '--mount')).toEqual(['type=tmpfs,destination=/tmp,tmpfs-mode=1777,tmpfs-size=1073741824']);
    const automounted = { ...spec, automountServiceAccountToken: true };
    expect(() => argsOf(automounted)).toThrow(/service-account token/);
    expect(after(argsOf(automounted, { serviceAccountDir: '/sa' }), '--mount')).toContain('type=bind,source=/sa,destination=/var/run/secrets/kubernetes.io/serviceaccount,ro=true');
    expect(() => argsOf(pod({ volumeMounts: [{ name: 'x', mountPath: '/x' }] }, { volumes: [{ name: 'x', hostPath: { path: '/' } }] }))).toThrow(/only emptyDir/);
  });

  it('sets memory (no swap), CPU quota and shares, the grace period, command and args', () => {
    const t = translateContainer(
      pod({ resources: { requests: { cpu: '850m' }, limits: { cpu: '2000m', memory: '1400Mi' } }, command: ['x'], args: ['run', '$(HOSTNAME)'] }, { terminationGracePeriodSeconds: 330 }),
      'c',
      ctx(),
    );
    expect(after(t.args, '--memory')).toEqual([String(1400 * 2 ** 20)]);
    expect(after(t.args, '--memory-swap')).toEqual([String(1400 * 2 ** 20)]);
    expect(after(t.args, '--cpus')).toEqual(['2']);
    expect(after(t.args, '--cpu-shares')).toEqual(['870']);
    expect(after(t.args, '--stop-timeout')).toEqual(['330']);
    expect(after(t.args, '--entrypoint')).toEqual(['["x"]']);
    expect(t.args.slice(-3)).toEqual(['img:1', 'run', 'p-1']);
    expect(quantity('1Gi')).toBe(2 ** 30);
    expect(quantity('250m')).toBe(0.25);
    expect(() => quantity('1.5Q')).toThrow(/unit/);
  });

  it('runs the rendered worker as the chart means it: its env, its user, its probes', async () => {
    const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', 'irsa-values.yaml')] }));
    const spec = podSpecOf(one(objects, 'Deployment')) as any;
    const t = translateContainer(spec, 'docsift', ctx({ objects: [secret('docsift-opensearch', { OPENSEARCH_USERNAME: 'u', OPENSEARCH_URL: 'https://shadowed' })] }));
    expect(t.env).toMatchObject({ OPENSEARCH_USERNAME: 'u', OPENSEARCH_URL: 'https://search-docsift.eu-west-1.es.amazonaws.com', AWS_REGION: 'eu-west-1' });
    expect(t.stopTimeoutSeconds).toBe(spec.terminationGracePeriodSeconds);
    expect(t.ports).toEqual({ metrics: 9464 });
    expect(t.probes.liveness.exec.command.slice(0, 2)).toEqual(['docsift', 'healthcheck']);
    expect(after(t.args, '--user')).toEqual(['10001:10001']);
  });
});
