import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import type { DocsiftError } from '../../../src/domain/errors.js';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { docx } from '../../fixtures/office.fixture.js';
import { buildPdf } from '../../fixtures/pdf.fixture.js';
import { doc, docm, docxWithCore, docxWithDocument, eml, gzip, gzipBomb, manyMembers, nestedZip, odtWithDoctype, ppt, rtf, wordDocument, xls, zip } from '../../fixtures/formats.fixture.js';
import { extractBytes, tempFiles, testExtractor } from './helpers.js';

let extractor: Extractor;
let files: Awaited<ReturnType<typeof tempFiles>>;

beforeAll(async () => {
  extractor = testExtractor().extractor;
  files = await tempFiles();
});
afterAll(async () => {
  await extractor.close();
  await files.cleanup();
});

const run = (name: string, bytes: Buffer, maxChars?: number) => extractBytes(extractor, files, name, bytes, maxChars);
const failure = async (name: string, bytes: Buffer) =>
  (await run(name, bytes).then(
    () => undefined,
    (e: unknown) => e,
  )) as DocsiftError | undefined;

describe('issue 15 formats: each indexed with its marker words', () => {
  it('.eml: ISO-2022-JP body and an RFC 2047 subject decode to Japanese; headers become metadata', async () => {
    const r = await run('notice.eml', eml('請求書の確認 emlsubject', '子供向けの図書館 emlbodymarker です。'));
    expect(r).toMatchObject({ contentType: 'message/rfc822', method: 'email', status: 'ok' });
    expect(r.text).toContain('Subject: 請求書の確認 emlsubject');
    expect(r.text).toContain('子供向けの図書館 emlbodymarker です。');
    expect(r.metadata).toEqual({ title: '請求書の確認 emlsubject', author: '山田 花子 <hanako@example.jp>', created_at: '2025-04-01T00:30:00.000Z' });
  });

  it('.eml without the extension is still a mail (its headers say so); attachments are read as members', async () => {
    const r = await run('message', eml('件名', '本文です', { name: 'minutes.txt', text: 'attachmentmarker in the minutes' }));
    expect(r.contentType).toBe('message/rfc822');
    expect(r.text).toContain('本文です');
    expect(r.text).toContain('attachmentmarker in the minutes');
    expect(r.members).toEqual(['minutes.txt']);
  });

  it('.rtf: Shift_JIS bytes of a charset-128 font, \\u escapes, field results; fonts, pictures and field codes left out', async () => {
    const r = await run('memo.rtf', rtf('rtfmarker'));
    expect(r).toMatchObject({ contentType: 'application/rtf', method: 'office', status: 'ok' });
    expect(r.text).toContain('Hello rtfmarker bold words.');
    expect(r.text).toContain('東京支店');
    expect(r.text).toContain('日本');
    expect(r.text).toContain('fieldresultword');
    expect(r.text).not.toMatch(/Arial|Mincho|HYPERLINK|hiddenpicturedata|Hand/);
    expect(r.metadata).toEqual({ title: 'RTF quarterly', author: 'Hanako Yamada', created_at: '2024-03-05T10:20:00.000Z' });
  });

  it('.zip of a txt and a docx: one document, the member list first, each member read', async () => {
    const r = await run('bundle.zip', zip([{ name: 'notes/readme.txt', data: 'zipmarker plain text' }, { name: 'report.docx', data: docx(['docxinzip marker paragraph']) }]));
    expect(r).toMatchObject({ contentType: 'application/zip', method: 'archive', status: 'ok', members: ['notes/readme.txt', 'report.docx'] });
    expect(r.text.startsWith('notes/readme.txt\nreport.docx')).toBe(true);
    expect(r.text).toContain('zipmarker plain text');
    expect(r.text).toContain('docxinzip marker paragraph');
    expect(r.truncated).toBeUndefined();
    // Members are inflated to a temp directory beside the object and removed after.
    expect((await readdir(files.dir)).filter((n) => n.startsWith('members-'))).toEqual([]);
  });

  it('.txt.gz: its one member, named after the file', async () => {
    const r = await run('log.txt.gz', gzip('gzipmarker line one\n東京 line two\n'));
    expect(r).toMatchObject({ contentType: 'application/gzip', method: 'archive', status: 'ok', members: ['log.txt'] });
    expect(r.text).toContain('gzipmarker line one');
    expect(r.text).toContain('東京 line two');
  });

  it('.docm is read like a docx and keeps its own content type', async () => {
    const r = await run('macro.docm', docm(['docmmarker paragraph']));
    expect(r).toMatchObject({ contentType: 'application/vnd.ms-word.document.macroenabled.12', method: 'office', status: 'ok' });
    expect(r.text).toBe('docmmarker paragraph');
  });

  it('.doc (Word 97): the piece table read through word-extractor', async () => {
    const r = await run('old.doc', doc('docmarker legacy word 東京'));
    expect(r).toMatchObject({ contentType: 'application/msword', method: 'office', status: 'ok' });
    expect(r.text).toContain('docmarker legacy word 東京');
  });

  it('.xls (BIFF8): sheet name and rows through SheetJS, with its title and author', async () => {
    const r = await run('old.xls', xls([['xlsmarker', 'amount'], ['大阪', 120]], { Title: 'Legacy book', Author: 'Taro' }));
    expect(r).toMatchObject({ contentType: 'application/vnd.ms-excel', method: 'office', status: 'ok' });
    expect(r.text).toBe('Legacy\nxlsmarker\tamount\n大阪\t120');
    expect(r.metadata).toMatchObject({ title: 'Legacy book', author: 'Taro' });
  });

  it('.ppt: UTF-16 and 8-bit text atoms of masters and slides, each once although saved twice', async () => {
    const r = await run('old.ppt', ppt('pptmarker 日本語のスライド', 'latin pptbytes'));
    expect(r).toMatchObject({ contentType: 'application/vnd.ms-powerpoint', method: 'office', status: 'ok' });
    expect(r.text).toBe('Click to edit Master title style\npptmarker 日本語のスライド\nlatin pptbytes');
  });
});

describe('document metadata', () => {
  it('a docx with dc:title, dc:creator and dcterms:created sets title, author and created_at', async () => {
    const r = await run('titled.docx', docxWithCore(['Body'], { title: '年次報告書', creator: 'Jane Doe', created: '2023-06-01T08:00:00Z' }));
    expect(r.metadata).toEqual({ title: '年次報告書', author: 'Jane Doe', created_at: '2023-06-01T08:00:00.000Z' });
  });

  it('a PDF with Info Title, Author and CreationDate sets them', async () => {
    const pdf = buildPdf([{ lines: ['Body of the titled PDF'] }], { info: { Title: 'Annual Report', Author: 'John Smith', CreationDate: "D:20240102030405+09'00'" } });
    const r = await run('titled.pdf', pdf);
    expect(r.text).toContain('Body of the titled PDF');
    expect(r.metadata).toEqual({ title: 'Annual Report', author: 'John Smith', created_at: '2024-01-01T18:04:05.000Z' });
  });

  it('a file without properties has no metadata', async () => {
    const r = await run('plain.docx', docx(['nothing about itself']));
    expect(r.metadata).toBeUndefined();
  });
});

describe('hostile archives: bounded and classified', () => {
  it('zips nested 5 deep: read to depth 3, the 4th listed but not opened, marked truncated', async () => {
    const r = await run('nest.zip', nestedZip(5));
    expect(r.text).toContain('nestmarker1');
    expect(r.text).toContain('nestmarker3');
    expect(r.text).not.toContain('nestmarker4');
    expect(r.members).toEqual(['level-1.txt', 'level-2.zip', 'level-2.zip/level-2.txt', 'level-2.zip/level-3.zip', 'level-2.zip/level-3.zip/level-3.txt', 'level-2.zip/level-3.zip/level-4.zip']);
    expect(r.truncated).toBe(true);
    expect(r.detail).toContain('archive nested deeper than 3 levels not opened');
  });

  it('a zip of 30,000 members is refused from its directory as decompression_bomb', async () => {
    const started = Date.now();
    const err = await failure('many.zip', manyMembers(30_000));
    expect(err?.code).toBe('decompression_bomb');
    expect(err?.message).toContain('30000 entries');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('a zip of 800 members: 500 read, all listed, the rest noted', async () => {
    const r = await run('wide.zip', manyMembers(800), 1_000_000);
    expect(r.members).toHaveLength(800);
    expect(r.text).toContain('member 499');
    expect(r.text).not.toContain('member 500\n');
    expect(r.truncated).toBe(true);
    expect(r.detail).toContain('members after the first 500 not read');
  }, 60_000);

  it('a gzip inflating past MAX_UNCOMPRESSED_MB stops at the cap as decompression_bomb', async () => {
    const { extractor: small } = testExtractor({ MAX_UNCOMPRESSED_MB: '8', MAX_OFFICE_SIZE_MB: '8' });
    const bomb = await gzipBomb(1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage.rss();
    const err = (await extractBytes(small, files, 'bomb.txt.gz', bomb).then(
      () => undefined,
      (e: unknown) => e,
    )) as DocsiftError;
    expect(err.code).toBe('decompression_bomb');
    expect(err.message).toContain('MAX_UNCOMPRESSED_MB');
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * 1024 * 1024);
    await small.close();
  }, 30_000);

  it('nesting cannot multiply the cap: members at every level spend one MAX_UNCOMPRESSED_MB', async () => {
    const { extractor: small } = testExtractor({ MAX_UNCOMPRESSED_MB: '1', MAX_OFFICE_SIZE_MB: '1' });
    const half = Buffer.alloc(700 * 1024, 0x61);
    const inner = zip([{ name: 'b.txt', data: half }]);
    const outer = zip([{ name: 'a.txt', data: half }, { name: 'inner.zip', data: inner }]);
    const err = (await extractBytes(small, files, 'twice.zip', outer, 4_000_000).then(
      () => undefined,
      (e: unknown) => e,
    )) as DocsiftError;
    expect(err.code).toBe('decompression_bomb');
    await small.close();
  });
});

describe('XML in office files: entities never expanded, internal DTDs read', () => {
  const fld = '<w:p><w:r><w:t xml:space="preserve">Total: </w:t></w:r><w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>fieldresult42</w:t></w:r></w:fldSimple></w:p>';
  const complex = '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>complexresult</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>';

  it('w:fldSimple results and complex field results are read; field instructions are not', async () => {
    const r = await run('fields.docx', docxWithDocument(wordDocument('', fld + complex)));
    expect(r.text).toBe('Total: fieldresult42\ncomplexresult');
  });

  it('a docx and an odt declaring a plain internal entity are read (the reference is left unexpanded)', async () => {
    const dtd = '<!DOCTYPE w:document [<!ENTITY company "Acme &amp; Co"> <!-- a comment with > inside --> <!ELEMENT w:p ANY>]>';
    const d = await run('dtd.docx', docxWithDocument(wordDocument(dtd, '<w:p><w:r><w:t>dtdmarker from &company; here</w:t></w:r></w:p>')));
    expect(d).toMatchObject({ status: 'ok' });
    expect(d.text).toBe('dtdmarker from &company; here');
    const o = await run('dtd.odt', odtWithDoctype('<!DOCTYPE office:document-content [<!ENTITY x "y">]>', 'odtdtdmarker'));
    expect(o.text).toBe('odtdtdmarker');
  });

  it('an external entity is refused, nothing fetched or read', async () => {
    const err = await failure('xxe.docx', docxWithDocument(wordDocument('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>')));
    expect(err?.code).toBe('corrupt_file');
    expect(err?.message).toContain('declares an external entity; refused without expanding it');
    const param = await failure('param.odt', odtWithDoctype('<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://example.com/x.dtd"> %remote;]>', 'p'));
    expect(param?.message).toContain('parameter entity');
  });

  it('a billion-laughs DOCTYPE is refused at once, without expansion', async () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
    const before = process.memoryUsage.rss();
    const started = Date.now();
    const err = await failure('laughs.docx', docxWithDocument(wordDocument(`<!DOCTYPE w:document [${lol}]>`, '<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>')));
    expect(err?.code).toBe('corrupt_file');
    expect(err?.message).toContain('refers to other entities (billion laughs)');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage.rss() - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('a broken gzip is corrupt_file', async () => {
    const err = await failure('archive.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(err?.code).toBe('corrupt_file');
  });
});

describe('hostile mail and RTF: bounded and classified', () => {
  it('RTF nested 200,000 groups deep is read in one linear pass, no stack growth', async () => {
    const deep = Buffer.from(`{\\rtf1\\ansi ${'{\\b '.repeat(200_000)}deepmarker${'}'.repeat(200_000)} after}`, 'latin1');
    const started = Date.now();
    const r = await run('deep.rtf', deep);
    expect(r.text).toBe('deepmarker after');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('RTF text past the budget stops the reader and is marked truncated', async () => {
    const r = await run('long.rtf', Buffer.from(`{\\rtf1\\ansi ${'lorem ipsum \\par '.repeat(50_000)}}`, 'latin1'), 1000);
    expect(r.text.length).toBeLessThanOrEqual(1000);
    expect(r.truncated).toBe(true);
  });

  it('a mail of MIME parts nested 500 deep is refused by postal-mime\'s depth cap as corrupt_file', async () => {
    let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
    for (let i = 0; i < 500; i += 1) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
    const err = await failure('deep.eml', Buffer.from(`From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`));
    expect(err?.code).toBe('corrupt_file');
    expect(err?.message).toContain('mail cannot be parsed');
  });

  it('a mail whose attachment is a zip is read through the archive reader, one level deeper', async () => {
    const inner = zip([{ name: 'inner.txt', data: 'zipinmailmarker' }]).toString('base64');
    const mail = ['From: a@example.com', 'Subject: with zip', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="x"', '', '--x', 'Content-Type: text/plain', '', 'see attached', '--x', 'Content-Type: application/zip; name="a.zip"', 'Content-Disposition: attachment; filename="a.zip"', 'Content-Transfer-Encoding: base64', '', inner, '--x--', ''].join('\r\n');
    const r = await run('zip.eml', Buffer.from(mail));
    expect(r.text).toContain('zipinmailmarker');
    expect(r.members).toEqual(['a.zip', 'a.zip/inner.txt']);
  });
});
