import { rolloutStatus, type RolloutStatus } from '../domain/rollout-status.js';
import type { Clock } from '../ports/clock.port.js';
import type { DeploymentRollout } from '../ports/deployment-rollout.port.js';

export interface RestartOptions {
  namespace: string;
  deployment: string;
  wait: boolean;
  timeoutSeconds: number;
  pollSeconds: number;
  onProgress?: (status: RolloutStatus) => void;
}

export interface RestartResult {
  restartedAt: Date;
  generation: number;
  /** The last status seen; null when not waiting. */
  status: RolloutStatus | null;
  timedOut: boolean;
}

/** `kubectl rollout restart deployment/NAME` and, with wait, `kubectl rollout status`. */
export async function restartDeployment(deps: { rollout: DeploymentRollout; clock: Clock }, opts: RestartOptions): Promise<RestartResult> {
  const restartedAt = new Date(deps.clock.now());
  const { generation } = await deps.rollout.restart(opts.namespace, opts.deployment, restartedAt);
  if (!opts.wait) return { restartedAt, generation, status: null, timedOut: false };
  const deadline = deps.clock.now() + opts.timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const status = rolloutStatus(await deps.rollout.read(opts.namespace, opts.deployment), generation);
    if (status.message !== last) opts.onProgress?.(status);
    last = status.message;
    if (status.state !== 'waiting') return { restartedAt, generation, status, timedOut: false };
    if (deps.clock.now() >= deadline) return { restartedAt, generation, status, timedOut: true };
    await deps.clock.sleep(opts.pollSeconds * 1000);
  }
}
