import { SqsMessageSender } from '../../adapters/sqs/sqs.dlq-admin.js';
import { S3InventoryLister } from '../../adapters/s3/s3.inventory.js';
import { S3ObjectLister } from '../../adapters/s3/s3.lister.js';
import type { Config } from '../../config/schema.js';
import { parseS3Uri, type S3Location } from '../../domain/coverage/s3-uri.js';
import { buildS3Client, buildStateStore } from '../../main.js';
import type { ObjectLister } from '../../ports/object-lister.port.js';
import { EXIT } from './exit-codes.js';
import { sqsClient } from './clients.js';

/** The source argument, or exit 1 naming what is wrong with it. */
export function sourceOrExit(command: string, uri: string): S3Location {
  try {
    return parseS3Uri(uri);
  } catch (err) {
    process.stderr.write(`${command}: ${(err as Error).message}\n`);
    process.exit(EXIT.error);
  }
}

/** S3, the listing, the state store and the sender of the backfill and reconcile commands. */
export function coverageClients(config: Config, inventory: S3Location | null) {
  const s3 = buildS3Client(config);
  const lister: ObjectLister = inventory ? new S3InventoryLister(s3, inventory) : new S3ObjectLister(s3);
  const sqs = sqsClient(config);
  return {
    s3,
    lister,
    state: buildStateStore(config, s3),
    sender: new SqsMessageSender(sqs),
    close: () => {
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** Writes a progress line at most every `everyMs`: live on a terminal, a plain line in a pod's log. */
export function throttledProgress(everyMs: number, tty = process.stderr.isTTY === true): { show: (text: string) => void; done: () => void } {
  let last = 0;
  let shown = false;
  return {
    show: (text) => {
      const now = Date.now();
      if (now - last < (tty ? 250 : everyMs)) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
    },
    done: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}
