import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { Config } from '../../config/schema.js';
import type { OpenSearchTransportLike } from './opensearch.index.js';
import type { OpenSearchReadLike } from './opensearch.lookup.js';

type OpenSearchClientLike = OpenSearchTransportLike & OpenSearchReadLike;

/**
 * Builds the official client: TLS verification on unless explicitly disabled, an optional CA
 * bundle, and basic or SigV4 authentication. Credentials never go into the URL (which is logged).
 */
export function createOpenSearchClient(config: Config): OpenSearchClientLike {
  const auth = config.OPENSEARCH_AUTH ?? (config.OPENSEARCH_USERNAME ? 'basic' : 'none');
  const ssl = {
    rejectUnauthorized: config.OPENSEARCH_TLS_VERIFY,
    ...(config.OPENSEARCH_CA_FILE ? { ca: readFileSync(config.OPENSEARCH_CA_FILE) } : {}),
  };
  const common = {
    node: config.OPENSEARCH_URL!,
    ssl,
    requestTimeout: config.OPENSEARCH_REQUEST_TIMEOUT,
    maxRetries: 0, // retries are ours, per item, with backoff
    compression: 'gzip' as const,
  };
  if (auth === 'sigv4') {
    const signer = AwsSigv4Signer({
      region: config.AWS_REGION,
      service: config.OPENSEARCH_SIGV4_SERVICE,
      getCredentials: () => defaultProvider()(),
    });
    return new Client({ ...signer, ...common }) as unknown as OpenSearchClientLike;
  }
  if (auth === 'basic') {
    return new Client({ ...common, auth: { username: config.OPENSEARCH_USERNAME!, password: config.OPENSEARCH_PASSWORD! } }) as unknown as OpenSearchClientLike;
  }
  return new Client(common) as unknown as OpenSearchClientLike;
}
