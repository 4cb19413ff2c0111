import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Extractor } from '../../../src/ports/extractor.port.js';
import { testExtractor } from './helpers.js';

/**
 * Files of Apache POI's test data that nobody on the team wrote, read where the corpus has been
 * fetched (/work/corpora/poi; `npm run corpus -- /work/corpora/poi` runs all of it end to end).
 * The expected words are those POI's own tests look for. CI generates its fixtures instead
 * (formats.test.ts); this suite runs only where the corpus is.
 */
const POI = process.env['POI_CORPUS'] ?? '/work/corpora/poi';

let extractor: Extractor;

async function read(file: string) {
  const path = join(POI, file);
  const { size } = await stat(path);
  const dot = file.lastIndexOf('.');
  return extractor.extract({ path, size, filename: file, extension: file.slice(dot + 1).toLowerCase(), declaredContentType: null, maxChars: 200_000 });
}

describe.runIf(existsSync(POI))('Apache POI test data', () => {
  beforeAll(() => {
    extractor = testExtractor().extractor;
  });
  afterAll(async () => {
    await extractor?.close();
  });

  it.each([
    { file: 'document/SampleDoc.doc', type: 'application/msword', words: ['I am a test document', 'This is page two'] },
    { file: 'slideshow/basic_test_ppt_file.ppt', type: 'application/vnd.ms-powerpoint', words: ['This is a test title', 'This is the title on page 2', 'These are the notes for page 1'] },
    { file: 'slideshow/bug55902-mixedFontChineseCharacters.ppt', type: 'application/vnd.ms-powerpoint', words: ['複数の文字', 'カタカナ'] },
    { file: 'hsmf/chinese-traditional.msg', type: 'application/vnd.ms-outlook', words: ['MSG 格式測試'] },
    { file: 'hsmf/cyrillic_message.msg', type: 'application/vnd.ms-outlook', words: ['Почта России'] },
    { file: 'document/45690.docm', type: 'application/vnd.ms-word.document.macroenabled.12', words: ['Стрелец A*'] },
    { file: 'spreadsheet/SimpleWithDataFormat.xls', type: 'application/vnd.ms-excel', words: ['Sheet1\n1.3'] },
  ])('$file: $words', async ({ file, type, words }) => {
    const r = await read(file);
    expect(r).toMatchObject({ status: 'ok', contentType: type });
    for (const word of words) expect(r.text).toContain(word);
  });

  it.each([
    { file: 'document/Word6.doc', status: 'unsupported' },
    { file: 'document/Bug51944.doc', status: 'unsupported' },
    { file: 'document/PasswordProtected.doc', status: 'encrypted' },
    { file: 'poifs/BlockSize4096.zvi', status: 'unsupported' },
  ])('$file is indexed by name as $status', async ({ file, status }) => {
    expect((await read(file)).status).toBe(status);
  });
});
