import { resolveMemoryDefaults, type SystemFacts } from './memory.settings.js';
import { resolveSandboxDefaults } from './sandbox.settings.js';
import { configSchema, rules, settings, type Config } from './schema.js';

export type LoadResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const SECRET = /(PASSWORD|SECRET|TOKEN|KEY)$/;

function shown(name: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (SECRET.test(name)) return '(hidden)';
  // A URL may carry `user:password@`: never echo it (the message goes to logs and CI output).
  const text = String(value).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1(credentials hidden)@');
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/**
 * Reads the environment through the one schema. Empty strings count as unset so that
 * `FOO=` in a manifest falls back to the default instead of failing as "not a number".
 * Memory defaults are derived from the container limit (`system` fakes the cgroup in tests).
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}, env: NodeJS.ProcessEnv = process.env, system: SystemFacts = {}): LoadResult {
  const input: Record<string, string> = {};
  for (const name of Object.keys(settings)) {
    const value = name in overrides ? overrides[name] : env[name];
    if (value !== undefined && value.trim() !== '') input[name] = value.trim();
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${shown(name, input[name])}: ${issue.message}`;
    });
    return { ok: false, problems };
  }
  const raw = parsed.data;
  const config: Config = {
    ...resolveSandboxDefaults(resolveMemoryDefaults(raw, system)),
    INDEX_SINK: raw.INDEX_SINK ?? (raw.OPENSEARCH_URL ? 'opensearch' : 'file'),
  };
  const problems = rules.flatMap((rule) => rule(config));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** The endpoint an SDK client for `service` should use, honouring the service-specific variable first. */
export function endpointFor(config: Config, service: 'sqs' | 's3'): string | undefined {
  return (service === 'sqs' ? config.AWS_ENDPOINT_URL_SQS : config.AWS_ENDPOINT_URL_S3) ?? config.AWS_ENDPOINT_URL;
}
