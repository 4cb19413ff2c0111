// The extraction engine behind a message channel, as a worker thread or as a forked child process:
// the one host every option of bench/sandbox-options.ts runs, so only the isolation differs.
// Plain JS so a worker thread can load it without a TypeScript loader; it imports the build (dist/).
import { parentPort, workerData } from 'node:worker_threads';

const dist = workerData?.dist ?? process.env.SANDBOX_HOST_DIST;
const channel = parentPort
  ? { send: (m) => parentPort.postMessage(m), on: (fn) => parentPort.on('message', fn) }
  : { send: (m) => process.send(m), on: (fn) => process.on('message', fn) };

const { createExtractionEngine } = await import(`${dist}/adapters/extract/engine.js`);
const { engineOptions } = await import(`${dist}/adapters/extract/engine-options.js`);
const { loadConfig } = await import(`${dist}/config/load.js`);

const loaded = loadConfig({ OCR_ENABLED: 'true', THUMBNAIL_ENABLED: 'true', THUMBNAIL_PDFS: 'false', TEMP_DIR: '/tmp' });
if (!loaded.ok) throw new Error(loaded.problems.join('; '));

// OCR stays with the parent in every option: the host hands each page image over the channel and
// waits for an (empty) answer, which is the traffic a sandbox adds to a scanned page.
let nextOcr = 0;
const pendingOcr = new Map();
const ocr = {
  engine: 'native',
  languages: 'eng',
  size: 1,
  recognize(image) {
    const id = ++nextOcr;
    return new Promise((resolve) => {
      pendingOcr.set(id, resolve);
      channel.send({ kind: 'ocr', id, image: { data: image.data, width: image.width, height: image.height } });
    });
  },
  close: async () => undefined,
};
const engine = createExtractionEngine(engineOptions(loaded.config), ocr);

async function nativeRunaway(mb) {
  // libvips's pixel memory, outside the V8 heap: what decoding a huge image costs.
  const { default: sharp } = await import('sharp');
  const side = Math.floor(Math.sqrt((mb * 1024 * 1024) / 4));
  const pixels = await sharp({ create: { width: side, height: side, channels: 4, background: '#808080' }, limitInputPixels: false }).raw().toBuffer();
  await new Promise((r) => setTimeout(r, 2000));
  return { side, bytes: pixels.length, rss: process.memoryUsage.rss() };
}

channel.on(async (msg) => {
  if (msg.kind === 'ocr_result') {
    pendingOcr.get(msg.id)?.({ text: '', confidence: null, ms: 0 });
    pendingOcr.delete(msg.id);
    return;
  }
  try {
    if (msg.kind === 'extract') {
      const e = await engine.extract(msg.input);
      channel.send({ kind: 'done', id: msg.id, ok: true, status: e.status, chars: e.text.length, thumbnail: e.thumbnail?.data });
    } else if (msg.kind === 'heap') {
      // A JavaScript runaway: live objects until the heap limit.
      const hoard = [];
      for (;;) hoard.push(new Array(100_000).fill(1.5));
    } else if (msg.kind === 'native') {
      channel.send({ kind: 'done', id: msg.id, ok: true, ...(await nativeRunaway(msg.mb)) });
    } else if (msg.kind === 'crash') {
      // A native fault: signals belong to the whole process, whichever thread raised it.
      process.kill(process.pid, 'SIGSEGV');
    } else if (msg.kind === 'echo') {
      channel.send({ kind: 'done', id: msg.id, ok: true, data: msg.data });
    }
  } catch (err) {
    channel.send({ kind: 'done', id: msg.id, ok: false, code: err?.code, message: String(err?.message ?? err).slice(0, 200) });
  }
});
channel.send({ kind: 'ready' });
