/** Layer rules from ../shared/DESIGN.md, enforced in `npm test`. */
const SDK = '^(@aws-sdk|@smithy|@opensearch-project|@kubernetes|tesseract\\.js|sharp|pdfjs-dist|@napi-rs|mammoth|pino|prom-client|yauzl|file-type|local-aws-sqs|s3rver)';
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
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: `node_modules/${SDK.slice(1)}` },
    },
    {
      name: 'pipeline-uses-ports-only',
      comment: 'pipeline/ depends on ports and domain only: no SDK and no adapter.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: ['^src/adapters/', '^src/main\\.ts', '^src/cli/', `node_modules/${SDK.slice(1)}`] },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: ['^src/ports/', '^src/domain/'] },
    },
    {
      name: 'config-is-the-only-env-reader-has-no-adapters',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: ['^src/adapters/', '^src/worker/', '^src/pipeline/'] },
    },
    {
      name: 'adapters-do-not-import-each-other-or-the-loop',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: ['^src/worker/', '^src/pipeline/', '^src/cli/', '^src/main\\.ts'] },
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
