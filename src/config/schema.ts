import { z } from 'zod';
import { coreRules, coreSettings } from './core.settings.js';
import { memoryRules, memorySettings } from './memory.settings.js';
import { runtimeRules, runtimeSettings } from './runtime.settings.js';
import { extractRules, extractSettings } from './extract.settings.js';
import { opsRules, opsSettings } from './ops.settings.js';
import { sandboxRules, sandboxSettings } from './sandbox.settings.js';
import { coverageRules, coverageSettings } from './coverage.settings.js';
import type { Rule } from './rule.js';

/** Every setting, from every section. The only schema of process.env. */
export const settings = { ...coreSettings, ...runtimeSettings, ...memorySettings, ...extractSettings, ...sandboxSettings, ...coverageSettings, ...opsSettings };
export const rules: Rule[] = [...coreRules, ...runtimeRules, ...memoryRules, ...extractRules, ...sandboxRules, ...coverageRules, ...opsRules];

export const configSchema = z.object(settings);
type Parsed = z.output<typeof configSchema>;
export type Config = Omit<Parsed, 'INDEX_SINK' | 'SANDBOX_MEMORY_MB' | 'EXTRACT_TIMEOUT' | 'DOCUMENT_BUDGET'> & { INDEX_SINK: 'file' | 'opensearch'; SANDBOX_MEMORY_MB: number; EXTRACT_TIMEOUT: number; DOCUMENT_BUDGET: number };
