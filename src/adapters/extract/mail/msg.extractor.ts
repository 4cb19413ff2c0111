import msgreader from '@kenjiuno/msgreader';

// A CommonJS module with an ES default export: under Node's ESM the class is on `.default`.
const MsgReader = msgreader.default;
import type { Extraction } from '../../../ports/extractor.port.js';
import type { ArchiveScope, MemberReader } from '../archive/members.js';
import { mailExtraction } from './mail-text.js';

/**
 * An Outlook .msg (an OLE compound file, already size-checked and opened by the legacy reader)
 * through @kenjiuno/msgreader: subject, sender, recipients, the plain or HTML body, and its
 * attachments read like archive members.
 */
export async function extractMsg(bytes: Buffer, path: string, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  const msg = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const data = msg.getFileData();
  const from = data.senderEmail ? (data.senderName ? `${data.senderName} <${data.senderEmail}>` : data.senderEmail) : data.senderName;
  const html = data.html ? Buffer.from(data.html).toString('utf8') : data.bodyHtml;
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
