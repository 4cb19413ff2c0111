import { readFile } from 'node:fs/promises';
import type { Address } from 'postal-mime';
import { DocsiftError } from '../../../domain/errors.js';
import type { Extraction } from '../../../ports/extractor.port.js';
import type { ArchiveScope, MemberReader } from '../archive/members.js';
import { mailExtraction, tooLarge } from './mail-text.js';

const address = (a: Address): string => (a.address ? (a.name ? `${a.name} <${a.address}>` : a.address) : a.name);

function bytesOf(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * An RFC 5322 message through postal-mime: MIME structure, transfer encodings, encoded words in
 * headers and every charset TextDecoder knows (ISO-2022-JP, Shift_JIS, EUC-JP and the rest, with
 * Node's full ICU). Its nesting and header sizes are capped by postal-mime's own limits, set here.
 */
export async function extractEml(path: string, size: number, maxFileBytes: number, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  if (size > maxFileBytes) throw tooLarge('mail', size, maxFileBytes);
  let email;
  try {
    // Loaded with the first mail, not at every sandbox's start.
    const { default: PostalMime } = await import('postal-mime');
    email = await PostalMime.parse(await readFile(path), { attachmentEncoding: 'arraybuffer', maxNestingDepth: 64, maxHeadersSize: 1024 * 1024, maxRfc822NestingDepth: 3 });
  } catch (err) {
    throw new DocsiftError('corrupt_file', 'extract', `mail cannot be parsed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return mailExtraction(
    {
      subject: email.subject,
      from: email.from ? address(email.from) : undefined,
      to: email.to?.map(address),
      date: email.date,
      text: email.text,
      html: email.html,
      attachments: email.attachments.map((a, i) => ({ name: a.filename ?? `attachment-${i + 1}`, content: () => bytesOf(a.content) })),
    },
    'message/rfc822',
    path,
    maxChars,
    scope,
    reader,
  );
}
