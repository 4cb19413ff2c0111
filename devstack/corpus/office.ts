import { buildZip, zerosDeflated, type ZipEntrySpec } from './zip.js';

/** Minimal but valid office documents, written as zips at test time. */
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

function contentTypes(overrides: Record<string, string>): string {
  return (
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    Object.entries(overrides)
      .map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`)
      .join('') +
    '</Types>'
  );
}

function rootRels(target: string): string {
  return (
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${target}"/>` +
    '</Relationships>'
  );
}

export function docxEntries(paragraphs: string[]): ZipEntrySpec[] {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`).join('');
  return [
    { name: '[Content_Types].xml', data: contentTypes({ '/word/document.xml': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml' }) },
    { name: '_rels/.rels', data: rootRels('word/document.xml') },
    { name: 'word/document.xml', data: `${XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>` },
  ];
}

export function docx(paragraphs: string[]): Buffer {
  return buildZip(docxEntries(paragraphs));
}

/** Sheets of rows; strings go to the shared-string table, numbers stay inline. */
export function xlsx(sheets: Array<{ name: string; rows: Array<Array<string | number>> }>): Buffer {
  const shared: string[] = [];
  const sheetXml = sheets.map(({ rows }) => {
    const rowXml = rows
      .map((row, r) => {
        const cells = row
          .map((v, c) => {
            const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
            if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
            shared.push(v);
            return `<c r="${ref}" t="s"><v>${shared.length - 1}</v></c>`;
          })
          .join('');
        return `<row r="${r + 1}">${cells}</row>`;
      })
      .join('');
    return `${XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rowXml}</sheetData></worksheet>`;
  });
  const overrides: Record<string, string> = {
    '/xl/workbook.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    '/xl/sharedStrings.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml',
  };
  sheets.forEach((_, i) => (overrides[`/xl/worksheets/sheet${i + 1}.xml`] = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'));
  return buildZip([
    { name: '[Content_Types].xml', data: contentTypes(overrides) },
    { name: '_rels/.rels', data: rootRels('xl/workbook.xml') },
    {
      name: 'xl/workbook.xml',
      data: `${XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets.map((s, i) => `<sheet name="${xmlEscape(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    },
    { name: 'xl/sharedStrings.xml', data: `${XML}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}">${shared.map((s) => `<si><t>${xmlEscape(s)}</t></si>`).join('')}</sst>` },
    ...sheetXml.map((data, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data })),
  ]);
}

/** Slides of paragraphs (each paragraph split into two runs, as PowerPoint does). */
export function pptx(slides: string[][]): Buffer {
  const slideXml = slides.map(
    (paras) =>
      `${XML}<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>` +
      paras
        .map((p) => {
          const cut = Math.floor(p.length / 2);
          return `<a:p><a:r><a:t>${xmlEscape(p.slice(0, cut))}</a:t></a:r><a:r><a:t>${xmlEscape(p.slice(cut))}</a:t></a:r></a:p>`;
        })
        .join('') +
      '</p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
  );
  const overrides: Record<string, string> = { '/ppt/presentation.xml': 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml' };
  slides.forEach((_, i) => (overrides[`/ppt/slides/slide${i + 1}.xml`] = 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml'));
  return buildZip([
    { name: '[Content_Types].xml', data: contentTypes(overrides) },
    { name: '_rels/.rels', data: rootRels('ppt/presentation.xml') },
    { name: 'ppt/presentation.xml', data: `${XML}<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>` },
    // Slide 10 before slide 2 in the archive: order must come from the numbers.
    ...slideXml.map((data, i) => ({ name: `ppt/slides/slide${i + 1}.xml`, data })).reverse(),
  ]);
}

const ODF_MIME = {
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
} as const;

function odf(kind: keyof typeof ODF_MIME, body: string): Buffer {
  const ns =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ' +
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';
  return buildZip([
    { name: 'mimetype', data: ODF_MIME[kind], store: true },
    {
      name: 'META-INF/manifest.xml',
      data: `${XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="${ODF_MIME[kind]}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    },
    { name: 'content.xml', data: `${XML}<office:document-content ${ns} office:version="1.3"><office:body>${body}</office:body></office:document-content>` },
  ]);
}

export function odt(paragraphs: string[]): Buffer {
  return odf('odt', `<office:text>${paragraphs.map((p) => `<text:p>${xmlEscape(p).replace(/ {2}/g, ' <text:s/>')}</text:p>`).join('')}</office:text>`);
}

export function ods(rows: string[][]): Buffer {
  const r = rows.map((row) => `<table:table-row>${row.map((c) => `<table:table-cell><text:p>${xmlEscape(c)}</text:p></table:table-cell>`).join('')}</table:table-row>`).join('');
  return odf('ods', `<office:spreadsheet><table:table table:name="Sheet1">${r}</table:table></office:spreadsheet>`);
}

export function odp(slides: string[][]): Buffer {
  const s = slides.map((paras, i) => `<draw:page draw:name="page${i + 1}"><draw:frame><draw:text-box>${paras.map((p) => `<text:p>${xmlEscape(p)}</text:p>`).join('')}</draw:text-box></draw:frame></draw:page>`).join('');
  return odf('odp', `<office:presentation>${s}</office:presentation>`);
}

/** A docx whose document.xml inflates to `mib` MiB; `lying` declares 1 KiB in the central directory. */
export async function docxBomb(mib: number, lying: boolean): Promise<Buffer> {
  const entries = docxEntries(['placeholder']).filter((e) => e.name !== 'word/document.xml');
  const deflated = await zerosDeflated(mib);
  return buildZip([...entries, { name: 'word/document.xml', deflated, declaredSize: lying ? 1024 : Math.min(mib * 1024 * 1024, 0xfffffffe), crc: 0 }]);
}
