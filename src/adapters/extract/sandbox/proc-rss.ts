import { readFileSync } from 'node:fs';

/** Resident set of a live process in MiB, from /proc; null when unreadable (gone, or not Linux). */
export function processRssMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
