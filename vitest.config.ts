import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The image suites run in `npm run test:deploy` (they need podman and the built image).
    exclude: [...configDefaults.exclude, 'test/deploy/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // s3rver (in-process in the suites) makes ListObjectsV2 continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider: without it every truncated listing answers 500.
    execArgv: ['--openssl-legacy-provider'],
    reporters: ['default'],
  },
});
