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

function intBase(min: number, max: number) {
  return z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: `must be an integer from ${min} to ${max}` });
}
export function int(min: number, max: number, def: number, meta: SettingMeta): z.ZodDefault<ReturnType<typeof intBase>>;
export function int(min: number, max: number, def: undefined, meta: SettingMeta): z.ZodOptional<ReturnType<typeof intBase>>;
export function int(min: number, max: number, def: number | undefined, meta: SettingMeta): z.ZodType {
  const base = intBase(min, max);
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def), meta);
}

function numBase(min: number, max: number) {
  return z.coerce
    .number({ error: `must be a number from ${min} to ${max}` })
    .refine((n) => Number.isFinite(n) && n >= min && n <= max, { error: `must be a number from ${min} to ${max}` });
}
export function num(min: number, max: number, def: number, meta: SettingMeta): z.ZodDefault<ReturnType<typeof numBase>>;
export function num(min: number, max: number, def: undefined, meta: SettingMeta): z.ZodOptional<ReturnType<typeof numBase>>;
export function num(min: number, max: number, def: number | undefined, meta: SettingMeta): z.ZodType {
  const base = numBase(min, max);
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

type Values = readonly [string, ...string[]];
export function oneOf<const T extends Values>(values: T, def: T[number], meta: SettingMeta): z.ZodDefault<z.ZodEnum<{ [K in T[number]]: K }>>;
export function oneOf<const T extends Values>(values: T, def: undefined, meta: SettingMeta): z.ZodOptional<z.ZodEnum<{ [K in T[number]]: K }>>;
export function oneOf<const T extends Values>(values: T, def: T[number] | undefined, meta: SettingMeta): z.ZodType {
  const base = z.enum(values, { error: `must be one of ${values.join(', ')}` });
  return def === undefined ? describe(base.optional(), meta) : describe(base.default(def as never), meta);
}

export function text(def: string, meta: SettingMeta): z.ZodDefault<z.ZodString>;
export function text(def: undefined, meta: SettingMeta): z.ZodOptional<z.ZodString>;
export function text(def: string | undefined, meta: SettingMeta): z.ZodType {
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
