import msgreader from '@kenjiuno/msgreader';

// A CommonJS module with an ES default export: Node's ESM puts the class on `.default`; bundlers
// that honour `__esModule` (vitest) hand the class itself.
const loaded = msgreader as unknown as { default?: typeof msgreader.default };
const MsgReader = loaded.default ?? (msgreader as unknown as typeof msgreader.default);
import type { Extraction } from '../../../ports/extractor.port.js';
import type { ArchiveScope, MemberReader } from '../archive/members.js';
import { mailExtraction } from './mail-text.js';

/** WHATWG labels of the Windows code pages a .msg names (PidTagMessageCodepage, PidTagInternetCodepage). */
const CODEPAGE_LABELS: Record<number, string> = { 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 20866: 'koi8-r', 50220: 'iso-2022-jp', 50221: 'iso-2022-jp', 50222: 'iso-2022-jp', 51932: 'euc-jp', 65001: 'utf-8' };
const labelOf = (codepage: number | undefined): string | undefined => (codepage === undefined ? undefined : (CODEPAGE_LABELS[codepage] ?? (codepage >= 28591 && codepage <= 28606 ? `iso-8859-${codepage - 28590}` : `windows-${codepage}`)));

function decodeHtml(bytes: Uint8Array, codepage: number | undefined): string {
  try {
    return new TextDecoder(labelOf(codepage) ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * Parses the message; its 8-bit (PT_STRING8) properties are in the message's own code page, so a
 * message that names one other than Windows-1252 is parsed again with it (Shift_JIS for Japanese
 * Outlook, Big5, Windows-1251...). An encoding iconv-lite does not know keeps the first parse.
 */
function parse(bytes: Buffer): { msg: InstanceType<typeof MsgReader>; data: ReturnType<InstanceType<typeof MsgReader>['getFileData']> } {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const msg = new MsgReader(buffer);
  const data = msg.getFileData();
  const codepage = data.messageCodepage ?? data.internetCodepage;
  if (codepage === undefined || codepage === 1252 || codepage === 65001 || codepage === 1200) return { msg, data };
  try {
    const again = new MsgReader(buffer);
    again.parserConfig = { ansiEncoding: String(codepage) };
    return { msg: again, data: again.getFileData() };
  } catch {
    return { msg, data };
  }
}

/**
 * An Outlook .msg (an OLE compound file, already size-checked and opened by the legacy reader)
 * through @kenjiuno/msgreader: subject, sender, recipients, the plain or HTML body, and its
 * attachments read like archive members.
 */
export async function extractMsg(bytes: Buffer, path: string, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  const { msg, data } = parse(bytes);
  const from = data.senderEmail ? (data.senderName ? `${data.senderName} <${data.senderEmail}>` : data.senderEmail) : data.senderName;
  const html = data.html ? decodeHtml(data.html, data.internetCodepage ?? data.messageCodepage) : data.bodyHtml;
  return mailExtraction(
    {
      subject: data.subject,
      from,
      to: data.recipients?.map((r) => r.name ?? r.email ?? '').filter((r) => r !== ''),
      date: data.clientSubmitTime ?? data.messageDeliveryTime ?? data.creationTime,
      text: data.body,
      html,
      attachments: (data.attachments ?? [])
        .filter((a) => !a.innerMsgContent)
        .map((a, i) => ({ name: a.fileName ?? a.name ?? `attachment-${i + 1}`, content: () => msg.getAttachment(a).content })),
    },
    'application/vnd.ms-outlook',
    path,
    maxChars,
    scope,
    reader,
  );
}
