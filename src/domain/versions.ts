import type { ObjectEvent } from './message.js';

/**
 * Versioned buckets keep one document per key: its current version (documentId has no version in
 * it). Puts need nothing special: each writes the key's document with its event's sequencer as
 * the external version, so a late event for an older version loses. Deletes are the subtle part.
 *
 * - `remove`: the key has no current object any more. A delete marker is always the key's new
 *   current version; an unversioned delete (no version id) removed the only object there was.
 * - `follow_current`: one version was removed for good. It may have been the current one (an
 *   older version is current now), an old one (nothing changed), or a delete marker (the version
 *   under it is current again). Only S3 knows which: ask it for the key's current version and
 *   index that, or remove the document when there is none.
 */
export type DeletePlan = 'remove' | 'follow_current';

export function planDelete(event: Pick<ObjectEvent, 'versionId' | 'deleteMarker'>): DeletePlan {
  if (event.deleteMarker === true) return 'remove';
  return event.versionId === null ? 'remove' : 'follow_current';
}
