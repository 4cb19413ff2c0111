import type { Command } from 'commander';
import { KubernetesRollout } from '../adapters/kubernetes/rollout.js';
import { rfc3339 } from '../domain/rollout-status.js';
import { restartDeployment } from '../operations/restart.js';
import { systemClock } from '../platform/clock.js';
import { EXIT } from './ops/exit-codes.js';
import { configOrExit } from './config-or-exit.js';
import { kubeApps } from './ops/clients.js';
import { nonNegativeInt } from './ops/flags.js';

interface Flags {
  deployment?: string;
  namespace?: string;
  wait?: boolean;
  timeout?: number;
}

export function register(cmd: Command): void {
  cmd
    .description('restart a deployment like `kubectl rollout restart` (patches the restartedAt pod-template annotation)')
    .option('--deployment <name>', 'deployment to restart (default RESTART_DEPLOYMENT)')
    .option('--namespace <ns>', "namespace (default K8S_NAMESPACE, else the pod's or the kubeconfig context's, else default)")
    .option('--wait', 'follow the rollout like `kubectl rollout status` until it completes')
    .option('--timeout <seconds>', 'longest --wait (default ROLLOUT_TIMEOUT, 600)', nonNegativeInt('--timeout'))
    .addHelpText('after', '\nExit codes: 0 restarted (and, with --wait, rolled out), 1 could not run, 2 --wait timed out, 3 the rollout exceeded its progress deadline.')
    .action(async (flags: Flags) => {
      const config = configOrExit({ exitCode: EXIT.error });
      const deployment = flags.deployment ?? config.RESTART_DEPLOYMENT;
      if (!deployment) {
        process.stderr.write('restart: no deployment: pass --deployment NAME or set RESTART_DEPLOYMENT\n');
        process.exit(EXIT.error);
      }
      const kube = kubeApps(config);
      const namespace = flags.namespace ?? kube.namespace;
      const timeoutSeconds = flags.timeout ?? config.ROLLOUT_TIMEOUT;
      const result = await restartDeployment(
        { rollout: new KubernetesRollout(kube.apps), clock: systemClock },
        { namespace, deployment, wait: flags.wait === true, timeoutSeconds, pollSeconds: 1, onProgress: (s) => console.log(s.message) },
      );
      const state = result.status === null ? 'not_waited' : result.timedOut ? 'timed_out' : result.status.state;
      console.log(`restart: deployment=${namespace}/${deployment} restarted_at=${rfc3339(result.restartedAt)} generation=${result.generation} rollout=${state} (${kube.source})`);
      if (result.timedOut) {
        process.stderr.write(`restart: rollout did not complete within ${timeoutSeconds}s\n`);
        process.exitCode = EXIT.incomplete;
      } else if (result.status?.state === 'failed') process.exitCode = EXIT.failed;
    });
}
