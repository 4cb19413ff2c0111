import type { Extraction, ExtractInput } from '../../ports/extractor.port.js';
import { MAX_ARCHIVE_DEPTH, type ArchiveScope } from './archive/members.js';
import { extractGzip, extractZip } from './archive/zip-archive.js';
import { detectType, type Detected } from './detect.js';
import { extractCfb } from './legacy/cfb.extractor.js';
import { extractEml } from './mail/eml.extractor.js';
import type { OfficeOptions } from './office/office.extractor.js';

export type Route = (input: ExtractInput, detected: Detected, scope: ArchiveScope) => Promise<Extraction>;

/** The office limits left for a file inside an archive: it may inflate no more than the tree has left. */
export function scopedOffice(office: OfficeOptions, scope: ArchiveScope): OfficeOptions {
  return { ...office, maxUncompressedBytes: Math.min(office.maxUncompressedBytes, scope.bytesLeft.value) };
}

/**
 * Archives (zip, gzip), mails (.eml, and .msg inside compound files) and compound files: files
 * whose members are read back through the engine's own route, one level deeper each time. An
 * archive found deeper than MAX_ARCHIVE_DEPTH is listed, not opened; every level shares one
 * MAX_UNCOMPRESSED_MB byte budget (`scope.bytesLeft`), so nesting cannot multiply it.
 */
export function containerReader(office: OfficeOptions, route: Route): Route {
  async function readMember(input: ExtractInput, scope: ArchiveScope): Promise<Extraction> {
    const detected = await detectType(input.path, input.size, input.extension);
    if ((detected.kind === 'zip' || detected.kind === 'gzip') && scope.depth > MAX_ARCHIVE_DEPTH) {
      return { contentType: detected.contentType, text: '', method: 'none', status: 'unsupported', truncated: true, detail: `archive nested deeper than ${MAX_ARCHIVE_DEPTH} levels not opened` };
    }
    return route(input, detected, scope);
  }

  return (input, detected, scope) => {
    const options = scopedOffice(office, scope);
    switch (detected.kind) {
      case 'zip':
        return extractZip(input.path, input.maxChars, scope, readMember);
      case 'gzip':
        return extractGzip(input.path, input.filename, input.maxChars, scope, readMember);
      case 'email':
        return extractEml(input.path, input.size, options.maxFileBytes, input.maxChars, scope, readMember);
      default:
        return extractCfb(input.path, input.size, input.maxChars, options, scope, readMember);
    }
  };
}
