import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentMetadata } from '../../../domain/document.js';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import { bombError, MAX_MEMBERS_READ, MemberCollector, withMemberDir, type ArchiveScope, type MemberReader } from '../archive/members.js';
import { isoDate } from '../office/properties.js';
import { htmlToText } from '../text/html.extractor.js';

/** One message as both mail formats give it: headers, a body, attachments. */
export interface MailParts {
  subject?: string | undefined;
  from?: string | undefined;
  to?: string[] | undefined;
  date?: string | undefined;
  text?: string | undefined;
  html?: string | undefined;
  attachments: Array<{ name: string; content: () => Uint8Array }>;
}

export function tooLarge(what: string, size: number, max: number): DocsiftError {
  return new DocsiftError('too_large', 'extract', `${what} of ${size} bytes is over MAX_OFFICE_SIZE_MB (${Math.floor(max / 1048576)} MiB)`);
}

function headerBlock(mail: MailParts): string {
  const lines = [
    mail.subject ? `Subject: ${mail.subject}` : '',
    mail.from ? `From: ${mail.from}` : '',
    mail.to && mail.to.length > 0 ? `To: ${mail.to.join(', ')}` : '',
    mail.date ? `Date: ${mail.date}` : '',
  ];
  return lines.filter((l) => l !== '').join('\n');
}

function metadataOf(mail: MailParts): DocumentMetadata | undefined {
  const created = isoDate(mail.date);
  const metadata: DocumentMetadata = { ...(mail.subject ? { title: mail.subject } : {}), ...(mail.from ? { author: mail.from } : {}), ...(created ? { created_at: created } : {}) };
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

/**
 * A mail as one document: its headers and body, then its attachments read like the members of an
 * archive (each detected and extracted, one level deeper, under the archive tree's byte cap).
 */
export async function mailExtraction(mail: MailParts, contentType: string, objectPath: string, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  const collector = new MemberCollector(maxChars);
  const body = mail.text?.trim() ? mail.text.trim() : mail.html ? htmlToText(mail.html) : '';
  const attachments = mail.attachments.slice(0, MAX_MEMBERS_READ);
  if (mail.attachments.length > attachments.length) collector.truncated = true;
  mail.attachments.forEach((a) => collector.list(a.name));
  await withMemberDir(objectPath, async (dir) => {
    for (const [i, attachment] of attachments.entries()) {
      const bytes = attachment.content();
      if (bytes.length > scope.bytesLeft.value) throw bombError('mail attachments', scope.bytesLeft.value);
      scope.bytesLeft.value -= bytes.length;
      const file = join(dir, `a${i}`);
      await writeFile(file, bytes);
      if (!(await collector.read(reader, attachment.name, file, bytes.length, scope))) break;
    }
  });
  const members = collector.result(contentType, 'email');
  const head = [headerBlock(mail), body].filter((s) => s !== '').join('\n\n');
  const text = [head.slice(0, maxChars), members.text].filter((s) => s !== '').join('\n\n').slice(0, maxChars);
  const extraction: Extraction = { ...members, text, status: text === '' ? 'empty' : 'ok' };
  if (head.length > maxChars || text.length >= maxChars) extraction.truncated = true;
  if (!extraction.members?.length) delete extraction.members;
  const metadata = metadataOf(mail);
  if (metadata) extraction.metadata = metadata;
  return extraction;
}
