import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deploy`: the image suites. They need the image built by scripts/deploy/build-image.sh
 * (the npm script builds it first) and podman, so `npm test` leaves them out. One file at a time:
 * each runs containers of up to 2 CPUs and 1400 MiB on a 2-core machine.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/deploy/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
