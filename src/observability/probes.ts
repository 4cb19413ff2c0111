import type { Probe } from './http-server.js';
import type { QueueDepthPoller } from './queue-depth.js';

const list = (xs: Array<[string, number]>) => xs.map(([c, a]) => `${c} ${a.toFixed(1)}s`).join(', ');

/** /healthz: at least one heartbeat, and none older than `maxAgeSeconds`. */
export function healthzProbe(ages: Map<string, number>, maxAgeSeconds: number): Probe {
  const all = [...ages];
  const stale = all.filter(([, age]) => age > maxAgeSeconds);
  if (all.length === 0) return { ok: false, detail: 'no heartbeat yet' };
  if (stale.length > 0) return { ok: false, detail: `stale heartbeat ${list(stale)} (max age ${maxAgeSeconds}s)` };
  return { ok: true, detail: `ok: ${list(all)}` };
}

export interface ReadinessState {
  /** The worker exists (configuration loaded, clients built). */
  started: boolean;
  stopping: boolean;
  poller: Pick<QueueDepthPoller, 'lastSuccessAt' | 'lastError' | 'poll'> | undefined;
  /** A queue answer younger than this counts as reachable without asking again. */
  freshMs: number;
  now: number;
}

/** /readyz: started, not draining, and the queue answered recently (or answers now). */
export async function readyzProbe(s: ReadinessState): Promise<Probe> {
  if (!s.started || !s.poller) return { ok: false, detail: 'starting' };
  if (s.stopping) return { ok: false, detail: 'draining' };
  const fresh = s.poller.lastSuccessAt !== null && s.now - s.poller.lastSuccessAt < s.freshMs;
  if (fresh || (await s.poller.poll())) return { ok: true, detail: 'ok: configuration loaded, queue reachable' };
  return { ok: false, detail: `queue unreachable: ${s.poller.lastError ?? 'no answer'}` };
}
