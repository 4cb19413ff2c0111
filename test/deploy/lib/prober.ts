/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Container } from './podman.js';

/**
 * Runs a container's probes the way the kubelet does: the startup probe every periodSeconds until
 * it succeeds (failureThreshold consecutive failures would restart the container), then liveness
 * and readiness on their own periods. exec: exit 0 within timeoutSeconds; httpGet: a status in
 * 200-399 within timeoutSeconds, on the pod IP (127.0.0.1 here) and the named or numbered port.
 */
export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeResult {
  kind: ProbeKind;
  at: number;
  ok: boolean;
  detail: string;
}

export class Prober {
  readonly results: ProbeResult[] = [];
  /** Set when a probe's failureThreshold was reached: the kubelet would restart (startup, liveness) or unready the pod. */
  verdict: { kind: ProbeKind; reason: string } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  private stopped = false;
  private failures: Record<ProbeKind, number> = { startup: 0, liveness: 0, readiness: 0 };

  constructor(
    private readonly container: Container,
    private readonly probes: { startup?: any; liveness?: any; readiness?: any },
    private readonly ports: Record<string, number>,
  ) {}

  /** One probe now, as the kubelet would run it. */
  async probe(kind: ProbeKind): Promise<ProbeResult> {
    const spec = this.probes[kind];
    if (!spec) throw new Error(`the container has no ${kind} probe`);
    const timeoutMs = (spec.timeoutSeconds ?? 1) * 1000;
    let result: ProbeResult;
    if (spec.exec) {
      const r = await this.container.exec(spec.exec.command, timeoutMs);
      result = { kind, at: Date.now(), ok: r.code === 0, detail: `exit ${r.code}: ${(r.stdout + r.stderr).trim().slice(0, 300)}` };
    } else if (spec.httpGet) {
      const port = typeof spec.httpGet.port === 'number' ? spec.httpGet.port : this.ports[spec.httpGet.port];
      if (port === undefined) throw new Error(`probe port ${spec.httpGet.port} is not a container port`);
      const url = `${spec.httpGet.scheme === 'HTTPS' ? 'https' : 'http'}://127.0.0.1:${port}${spec.httpGet.path ?? '/'}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.text()).slice(0, 300);
        result = { kind, at: Date.now(), ok: res.status >= 200 && res.status < 400, detail: `${res.status} ${body}` };
      } catch (err) {
        result = { kind, at: Date.now(), ok: false, detail: String(err) };
      }
    } else {
      throw new Error(`${kind} probe: only exec and httpGet are supported`);
    }
    this.results.push(result);
    return result;
  }

  /** Starts the kubelet's probe loops; resolves when the startup probe has passed (or rejects at its threshold). */
  async start(): Promise<void> {
    if (this.started) throw new Error('prober already started');
    this.started = true;
    const startup = this.probes.startup;
    if (startup) {
      await sleep((startup.initialDelaySeconds ?? 0) * 1000);
      for (;;) {
        if (this.stopped) return;
        const r = await this.probe('startup');
        if (r.ok) break;
        this.failures.startup += 1;
        if (this.failures.startup >= (startup.failureThreshold ?? 3)) {
          this.verdict = { kind: 'startup', reason: r.detail };
          throw new Error(`startup probe failed ${this.failures.startup} times: the kubelet would restart the container (${r.detail})`);
        }
        await sleep((startup.periodSeconds ?? 10) * 1000);
      }
    }
    for (const kind of ['liveness', 'readiness'] as const) this.loop(kind);
  }

  private loop(kind: 'liveness' | 'readiness'): void {
    const spec = this.probes[kind];
    if (!spec) return;
    const tick = async () => {
      if (this.stopped) return;
      const r = await this.probe(kind);
      this.failures[kind] = r.ok ? 0 : this.failures[kind] + 1;
      if (this.failures[kind] >= (spec.failureThreshold ?? 3)) this.verdict ??= { kind, reason: r.detail };
      if (!this.stopped) this.timers.push(setTimeout(() => void tick(), (spec.periodSeconds ?? 10) * 1000));
    };
    this.timers.push(setTimeout(() => void tick(), (spec.initialDelaySeconds ?? 0) * 1000));
  }

  /** The kubelet stops probing a terminating container. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  count(kind: ProbeKind, ok: boolean): number {
    return this.results.filter((r) => r.kind === kind && r.ok === ok).length;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
