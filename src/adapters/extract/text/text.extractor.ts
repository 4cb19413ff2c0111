import type { Extraction } from '../../../ports/extractor.port.js';
import { readText } from './decode.js';

/**
 * Plain text, Markdown, CSV and JSON are indexed as written: their words are the content, and
 * JSON keys are as findable as values. Only the encoding is normalised.
 */
export async function extractText(path: string, contentType: string, maxChars: number): Promise<Extraction> {
  const { text, truncated } = await readText(path, maxChars);
  const content = text.replace(/\r\n?/g, '\n');
  return {
    contentType,
    text: content,
    method: 'text',
    status: content.trim() === '' ? 'empty' : 'ok',
    truncated: truncated || undefined,
  };
}
