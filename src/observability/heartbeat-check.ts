import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads heartbeat files. Kept to node:fs alone: `docsift healthcheck` imports only this module, so
 * the liveness probe starts fast and stays small.
 */
export const BEAT_SUFFIX = '.beat';

export interface BeatAge {
  component: string;
  ageSeconds: number;
}

export interface HeartbeatReport {
  ok: boolean;
  beats: BeatAge[];
  stale: BeatAge[];
  /** Why the check failed when it is not a stale beat (no directory, no heartbeat). */
  problem?: string;
}

/** Age of every heartbeat file in `dir`, from its modification time (the writer sets it to the beat time). */
export function readHeartbeats(dir: string, now = Date.now()): BeatAge[] | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const beats: BeatAge[] = [];
  for (const name of names) {
    if (!name.endsWith(BEAT_SUFFIX)) continue;
    try {
      const { mtimeMs } = statSync(join(dir, name));
      beats.push({ component: name.slice(0, -BEAT_SUFFIX.length), ageSeconds: Math.max(0, (now - mtimeMs) / 1000) });
    } catch {
      // Removed between readdir and stat: a retired component.
    }
  }
  return beats.sort((a, b) => a.component.localeCompare(b.component));
}

/** Healthy when there is at least one heartbeat and none is older than maxAgeSeconds. */
export function checkHeartbeats(dir: string, maxAgeSeconds: number, now = Date.now()): HeartbeatReport {
  const beats = readHeartbeats(dir, now);
  if (beats === null) return { ok: false, beats: [], stale: [], problem: `no heartbeat directory ${dir}` };
  if (beats.length === 0) return { ok: false, beats, stale: [], problem: `no heartbeat files in ${dir}` };
  const stale = beats.filter((b) => b.ageSeconds > maxAgeSeconds);
  return { ok: stale.length === 0, beats, stale };
}

/** One line for a person (and for the kubelet's event): what is stale and by how much. */
export function describeReport(report: HeartbeatReport, maxAgeSeconds: number): string {
  if (report.problem) return `unhealthy: ${report.problem}`;
  const list = (beats: BeatAge[]) => beats.map((b) => `${b.component} ${b.ageSeconds.toFixed(1)}s`).join(', ');
  if (!report.ok) return `unhealthy: stale heartbeat ${list(report.stale)} (max age ${maxAgeSeconds}s)`;
  return `ok: ${list(report.beats)}`;
}
