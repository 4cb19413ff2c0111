#!/usr/bin/env node
// Production dependency audit for CI: `npm audit --omit=dev --json`, failing on high or critical
// findings. When the audit endpoint cannot be asked (offline, proxy, a registry mirror that answers
// 405 to the bulk advisory POST) it says so loudly and exits 0 WITHOUT claiming a pass; set
// AUDIT_STRICT=1 to make that case fail instead (exit 2).
//
//   node scripts/audit.mjs                 run npm audit
//   node scripts/audit.mjs --input f.json  judge a saved `npm audit --json` report (tests)
//
// Exit codes: 0 no high/critical findings (or not checked, see the WARNING line), 1 high/critical
// findings, 2 not checked and AUDIT_STRICT=1.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const FAIL_ON = ['high', 'critical'];

/** Decides from one `npm audit --json` document. Pure, so it can be tested with fixtures. */
export function judge(report) {
  if (report && typeof report === 'object' && report.metadata && report.metadata.vulnerabilities) {
    const counts = report.metadata.vulnerabilities;
    const findings = Object.values(report.vulnerabilities ?? {})
      .filter((v) => FAIL_ON.includes(v.severity))
      .map((v) => ({
        name: v.name,
        severity: v.severity,
        range: v.range,
        via: (v.via ?? []).map((x) => (typeof x === 'string' ? x : `${x.title ?? x.name} (${x.url ?? 'no url'})`)),
        fixAvailable: Boolean(v.fixAvailable),
      }));
    const blocking = FAIL_ON.reduce((n, s) => n + (counts[s] ?? 0), 0);
    return { status: blocking > 0 ? 'fail' : 'pass', counts, findings };
  }
  const message = report && typeof report === 'object' ? String(report.message ?? report.error?.summary ?? report.code ?? '') : 'no JSON report';
  const status = report && typeof report === 'object' && report.statusCode && !message.includes(String(report.statusCode)) ? `${report.statusCode} ` : '';
  const reason = `${status}${message}`.trim();
  return { status: 'unchecked', reason: reason || 'audit report has no vulnerability metadata' };
}

function run() {
  const args = process.argv.slice(2);
  const inputAt = args.indexOf('--input');
  let text;
  if (inputAt >= 0) {
    text = readFileSync(args[inputAt + 1], 'utf8');
  } else {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    if (out.error) text = JSON.stringify({ message: `could not run npm audit: ${out.error.message}` });
    else text = out.stdout;
  }
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    report = { message: `npm audit printed no JSON report (${String(text).trim().slice(0, 200) || 'empty output'})` };
  }
  const verdict = judge(report);
  if (verdict.status === 'unchecked') {
    console.error(`WARNING: npm audit could not be performed: ${verdict.reason}`);
    console.error('WARNING: production dependencies were NOT checked for known vulnerabilities in this run.');
    process.exit(process.env.AUDIT_STRICT === '1' ? 2 : 0);
  }
  const c = verdict.counts;
  console.log(`npm audit --omit=dev: critical ${c.critical ?? 0}, high ${c.high ?? 0}, moderate ${c.moderate ?? 0}, low ${c.low ?? 0}, info ${c.info ?? 0}`);
  for (const f of verdict.findings) {
    console.log(`  ${f.severity.toUpperCase()} ${f.name} ${f.range ?? ''}${f.fixAvailable ? ' (fix available)' : ''}`);
    for (const v of f.via) console.log(`    via ${v}`);
  }
  if (verdict.status === 'fail') {
    console.error('audit: high or critical vulnerabilities in production dependencies');
    process.exit(1);
  }
  console.log('audit: no high or critical vulnerabilities in production dependencies');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) run();
