/**
 * The layer rules of docs/architecture.md, enforced in `npm test` (npm run lint). Layers, lowest
 * first: domain → ports → platform → config → pipeline | operations | worker → observability →
 * adapters → cli | main.ts. A layer imports only from layers below it; dev code (devstack/, bench/,
 * test/) is never imported by src/. test/unit/architecture/layer-rules.test.ts feeds each rule a
 * violating fixture, so none of them can silently stop matching.
 */
const SDK = '(@aws-sdk|@smithy|@opensearch-project|@kubernetes|tesseract\\.js|sharp|pdfjs-dist|@napi-rs|mammoth|pino|prom-client|yauzl|file-type|local-aws-sqs|s3rver)';
const sdk = `node_modules/${SDK}`;
const layers = (names) => `^src/(${names.join('|')})(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure types and rules: no SDK, no I/O modules, no other layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^crypto$', '^node:crypto$', 'node_modules/zod/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-no-sdk-types',
      comment: 'Not even the types of an SDK: the domain speaks its own language.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: sdk },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'ports/ declares narrow interfaces in domain terms.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: ['^src/ports/', '^src/domain/'] },
    },
    {
      name: 'platform-is-the-ground-floor',
      comment: 'platform/ (cgroup files, the system clock, cleanup steps) knows nothing of docsift above the port types.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: layers(['domain', 'config', 'pipeline', 'operations', 'worker', 'observability', 'adapters', 'cli', 'main']) },
    },
    {
      name: 'config-reads-only-the-ground-floor',
      comment: 'config/ is the only reader of process.env; it builds on platform/ and nothing above it.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: layers(['pipeline', 'operations', 'worker', 'observability', 'adapters', 'cli', 'main']) },
    },
    {
      name: 'pipeline-uses-ports-only',
      comment: 'pipeline/ (the use case) depends on ports and domain only: no SDK, no adapter, no other layer.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: [layers(['platform', 'config', 'operations', 'worker', 'observability', 'adapters', 'cli', 'main']), sdk] },
    },
    {
      name: 'operations-use-ports-only',
      comment: 'operations/ (DLQ, restart, capacity use cases) depends on ports and domain only.',
      severity: 'error',
      from: { path: '^src/operations/' },
      to: { path: [layers(['platform', 'config', 'pipeline', 'worker', 'observability', 'adapters', 'cli', 'main']), sdk] },
    },
    {
      name: 'worker-sees-ports-not-the-pipeline',
      comment: 'worker/ (the loop) runs a MessageHandler port and emits events: no pipeline, no logger, no metrics, no SDK.',
      severity: 'error',
      from: { path: '^src/worker/' },
      to: { path: [layers(['config', 'pipeline', 'operations', 'observability', 'adapters', 'cli', 'main']), sdk] },
    },
    {
      name: 'observability-below-the-adapters',
      comment: 'observability/ maps worker events to pino and prom-client; adapters may log through it, never the reverse.',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: layers(['pipeline', 'operations', 'adapters', 'cli', 'main']) },
    },
    {
      name: 'adapters-do-not-import-the-use-cases',
      comment: 'An adapter implements a port; it never calls the loop, a use case or the entry points.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: layers(['worker', 'pipeline', 'operations', 'cli', 'main']) },
    },
    {
      name: 'only-cli-imports-the-entry-points',
      comment: 'main.ts (the composition root) and cli/ are the top: nothing below imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: layers(['cli', 'main']) },
    },
    {
      name: 'production-does-not-import-dev-code',
      comment: 'devstack/, bench/ and test/ are not in dist/ or the image.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(devstack|bench|test|scripts)/' },
    },
    {
      name: 'production-does-not-import-dev-dependencies',
      comment: 'The image installs production dependencies only (npm prune --omit=dev); types are erased, so type-only imports are fine.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
