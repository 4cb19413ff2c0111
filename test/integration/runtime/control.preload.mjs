// Test-only preload for a real `docsift run` child: polls the file named by DOCSIFT_TEST_CONTROL
// and obeys one command per write: `ballast <MiB>` (hold that much resident memory, in 64 MiB pieces; 0 frees it) or
// `block <ms>` (block the event loop, as a runaway synchronous call would).
import { readFileSync, rmSync } from 'node:fs';

const file = process.env.DOCSIFT_TEST_CONTROL;
let ballast = [];

function act(command) {
  const [op, arg] = command.split(/\s+/);
  if (op === 'ballast') {
    ballast = [];
    globalThis.gc?.();
    // 64 MiB pieces: above glibc's largest mmap threshold, so freeing them returns the pages.
    for (let mb = 0; mb < Number(arg); mb += 64) ballast.push(Buffer.alloc(64 * 1024 * 1024, 1));
    globalThis.gc?.();
  } else if (op === 'block') {
    const end = Date.now() + Number(arg);
    while (Date.now() < end) {
      // busy: nothing else on this thread runs
    }
  }
  process.stderr.write(`control: done ${command}\n`);
}

if (file) {
  const timer = setInterval(() => {
    let command;
    try {
      command = readFileSync(file, 'utf8').trim();
    } catch {
      return;
    }
    rmSync(file, { force: true });
    if (command) act(command);
  }, 50);
  timer.unref();
}
