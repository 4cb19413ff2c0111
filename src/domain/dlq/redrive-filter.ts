import { ERROR_CLASS_NAMES, isErrorClass, type ErrorClass } from '../errors.js';

/**
 * Which dead letters a filtered redrive moves. `none` selects messages without an error_class
 * attribute (moved to the DLQ by the queue's redrive policy rather than by the worker).
 */
export interface RedriveFilter {
  classes: ReadonlySet<ErrorClass>;
  includeUnclassified: boolean;
}

export const UNCLASSIFIED_TOKEN = 'none';

/** A filter that matches every message: used when --max or --dry-run asks for the receive path without a class. */
export const MATCH_ALL: RedriveFilter = { classes: new Set(ERROR_CLASS_NAMES), includeUnclassified: true };

/** Parses `--error-class a,b`; throws with the list of valid names on an unknown one. */
export function parseErrorClassList(text: string): RedriveFilter {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('--error-class needs at least one class');
  const classes = new Set<ErrorClass>();
  let includeUnclassified = false;
  for (const name of names) {
    if (name === UNCLASSIFIED_TOKEN) includeUnclassified = true;
    else if (isErrorClass(name)) classes.add(name);
    else throw new Error(`unknown error class "${name}"; valid: ${[...ERROR_CLASS_NAMES, UNCLASSIFIED_TOKEN].join(', ')}`);
  }
  return { classes, includeUnclassified };
}

export function matchesFilter(errorClass: string | null | undefined, filter: RedriveFilter): boolean {
  if (errorClass === null || errorClass === undefined || errorClass === '') return filter.includeUnclassified;
  return isErrorClass(errorClass) && filter.classes.has(errorClass);
}

/** The attributes to send back: the original's, without the ones the worker added when it dead-lettered. */
export function stripErrorAttributes<T>(attributes: Record<string, T>, errorAttributeNames: readonly string[]): Record<string, T> {
  const drop = new Set(errorAttributeNames);
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !drop.has(name)));
}

export type Destination = { url: string; from: 'flag' | 'attribute' | 'config' } | { url: null; reason: string };

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Where one message goes back to: `--to` wins (the operator said so), then the `source_queue`
 * attribute the worker wrote, then QUEUE_URL. A source_queue that is not a URL is ignored.
 */
export function resolveDestination(sourceQueueAttribute: string | null | undefined, flagUrl?: string, configUrl?: string): Destination {
  if (flagUrl) return { url: flagUrl, from: 'flag' };
  if (sourceQueueAttribute && isHttpUrl(sourceQueueAttribute)) return { url: sourceQueueAttribute, from: 'attribute' };
  if (configUrl) return { url: configUrl, from: 'config' };
  return { url: null, reason: 'no source_queue attribute, no --to and no QUEUE_URL' };
}
