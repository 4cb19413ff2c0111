import { z } from 'zod';

/**
 * Each setting is declared once: its zod check, its default, its unit and its meaning. The
 * README's configuration reference is generated from these declarations (`docsift config --markdown`)
 * and a test keeps the two in step.
 */
export interface SettingMeta {
  doc: string;
  unit?: string;
  /** Shown instead of the literal default when the default is computed (e.g. from the cgroup). */
  defaultText?: string;
  secret?: boolean;
}

export type Setting = z.ZodType & { _docsift?: SettingMeta };

const META = new WeakMap<z.ZodType, SettingMeta>();

export function describe<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  META.set(schema, meta);
  return schema;
}

export function metaOf(schema: z.ZodType): SettingMeta | undefined {
  return META.get(schema);
}

export function int(min: number, max: number, def: number | undefined, meta: SettingMeta) {
  const base = z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: `must be an integer from ${min} to ${max}` });
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def), meta);
}

export function num(min: number, max: number, def: number | undefined, meta: SettingMeta) {
  const base = z.coerce
    .number({ error: `must be a number from ${min} to ${max}` })
    .refine((n) => Number.isFinite(n) && n >= min && n <= max, { error: `must be a number from ${min} to ${max}` });
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def), meta);
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
export function bool(def: boolean, meta: SettingMeta) {
  const base = z
    .string()
    .refine((v) => TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()), { error: 'must be true or false' })
    .transform((v) => TRUE.has(v.toLowerCase()));
  return describe(base.optional().transform((v) => (v === undefined ? def : v)), meta);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number] | undefined, meta: SettingMeta) {
  const base = z.enum(values, { error: `must be one of ${values.join(', ')}` });
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def as never), meta);
}

export function text(def: string | undefined, meta: SettingMeta) {
  const base = z.string({ error: 'must be a string' });
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def), meta);
}

export function url(meta: SettingMeta) {
  const base = z.string().refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL' },
  );
  return describe(base.optional(), meta);
}
