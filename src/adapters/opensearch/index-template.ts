/**
 * The versioned index template. Bump TEMPLATE_VERSION with any mapping change; a cluster holding an
 * older version is reported at start-up, never silently overwritten.
 */
export const TEMPLATE_VERSION = 2;

export function templateName(indexName: string): string {
  return `${indexName}-template`;
}

export function indexTemplate(indexName: string) {
  const keyword = { type: 'keyword' } as const;
  return {
    index_patterns: [`${indexName}*`],
    priority: 100,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'docsift', docsift_template_version: TEMPLATE_VERSION },
    template: {
      settings: {
        // The standard analyzer cuts CJK text into single characters; `content.cjk` uses the
        // built-in bigram `cjk` analyzer, which needs no plugin.
        index: { number_of_shards: 1, refresh_interval: '5s' },
      },
      mappings: {
        dynamic: 'false',
        properties: {
          bucket: keyword,
          key: { type: 'keyword', fields: { text: { type: 'text' } } },
          version_id: keyword,
          etag: keyword,
          size: { type: 'long' },
          last_modified: { type: 'date' },
          indexed_at: { type: 'date' },
          filename: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 }, cjk: { type: 'text', analyzer: 'cjk' } } },
          extension: keyword,
          content_type: keyword,
          content: { type: 'text', fields: { cjk: { type: 'text', analyzer: 'cjk' } } },
          content_length: { type: 'integer' },
          checksum: keyword,
          sequencer: keyword,
          language: keyword,
          pages: { type: 'integer' },
          truncated: { type: 'boolean' },
          thumbnail_key: keyword,
          // From PDF Info, office core properties and mail headers (version 2).
          title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 }, cjk: { type: 'text', analyzer: 'cjk' } } },
          author: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 }, cjk: { type: 'text', analyzer: 'cjk' } } },
          created_at: { type: 'date' },
          members: { type: 'keyword', ignore_above: 1024, fields: { text: { type: 'text' } } },
          extraction: {
            properties: {
              method: keyword,
              status: keyword,
              ms: { type: 'integer' },
              detail: { type: 'text' },
              // Which PDF pages were OCR'd and why (no_text, garbled_text, strategy): filterable by reason.
              ocr_pages: { properties: { page: { type: 'integer' }, reason: keyword } },
            },
          },
          ocr: {
            properties: { engine: keyword, languages: keyword, pages_ocr: { type: 'integer' }, mean_confidence: { type: 'float' } },
          },
        },
      },
    },
  };
}
