/** `npm run bench -- [options]`: see bench/options.ts for the flags. */
import { runBench } from './bench.js';
import { parseOptions, USAGE } from './options.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const { result, resultPath, pngPath } = await runBench(parseOptions(argv));
  console.log('');
  console.log('run       msg/min   p50 ms   p95 ms  CPU cores  RSS peak  RSS median  OCR pages');
  for (const r of Object.values(result.runs)) {
    if (!r) continue;
    console.log(
      `${r.name.padEnd(8)} ${String(r.messagesPerMinute ?? 'n/a').padStart(8)} ${String(r.latencyMs.p50 ?? '-').padStart(8)} ${String(r.latencyMs.p95 ?? '-').padStart(8)} ${String(r.cpu.cores ?? '-').padStart(10)} ${String(r.rssMiB.peak ?? '-').padStart(9)} ${String(r.rssMiB.median ?? '-').padStart(11)} ${String(r.extraction.ocrPages).padStart(10)}`,
    );
  }
  if (result.servers) console.log(`servers' ceiling (receive + HEAD + GET + delete, no processing): ${result.servers.messagesPerMinute} msg/min`);
  if (result.nativeOcr.sameData) console.log(`native tesseract: ${result.nativeOcr.sameData.pagesPerMinute} pages/min; CPU limit for the mix ${result.cpuLimit.messagesPerMinute} msg/min`);
  console.log(`ratios: ${JSON.stringify(result.ratios)}`);
  if (result.peers) console.log(`peers (scanned PDFs): ${JSON.stringify(result.peers.systems)}\npeer ratios: ${JSON.stringify(result.peers.ratios)}`);
  // docsift capacity reads no bench files (they are not in the image): the rate is passed as a flag.
  if (result.runs.default?.messagesPerMinute) console.log(`per-pod rate for capacity planning: docsift capacity --per-pod ${result.runs.default.messagesPerMinute}`);
  for (const t of result.targets) console.log(`${t.met === null ? '  ?   ' : t.met ? '  MET ' : 'MISSED'} ${t.name}: ${t.value ?? 'n/a'}${t.note ? ` (${t.note})` : ''}`);
  for (const n of result.notes) console.log(`note: ${n}`);
  if (result.contended.length > 0) console.log(`contended: ${result.contended.join('; ')}`);
  console.log(`results ${resultPath}\nchart   ${pngPath}`);
  process.exit(0);
} catch (err) {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}
