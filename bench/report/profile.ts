import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  function: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** Self time per function (by name and file) of a V8 .cpuprofile, heaviest first. */
export async function summariseProfile(path: string, top = 20): Promise<{ totalMs: number; functions: HotFunction[] }> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i += 1) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const grouped = new Map<string, HotFunction>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}@${url}`;
    const entry = grouped.get(key) ?? { function: name, where: url || '(native)', selfMs: 0, percent: 0 };
    entry.selfMs += us / 1000;
    grouped.set(key, entry);
  }
  const functions = [...grouped.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), percent: Math.round((f.selfMs / Math.max(1, total / 1000)) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), functions };
}
