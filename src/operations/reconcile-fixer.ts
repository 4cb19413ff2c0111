import type { Discrepancy } from '../domain/coverage/reconcile-report.js';
import { DocsiftError } from '../domain/errors.js';
import type { IndexedFacts } from '../ports/index-lookup.port.js';
import type { ObjectStore } from '../ports/object-store.port.js';
import type { SearchIndex } from '../ports/search-index.port.js';
import type { JobEnqueuer, JobTarget } from './job-enqueuer.js';

export interface FixDeps {
  enqueuer: JobEnqueuer;
  /** HEAD before deleting an orphan: an object written after the listing must keep its document. */
  objects: Pick<ObjectStore, 'head'>;
  index: Pick<SearchIndex, 'write' | 'flush'>;
}

const MAX_PENDING_DELETES = 100;

/**
 * Repairs what reconcile finds, as it finds it: missing and stale keys become jobs (ten per
 * SendMessageBatch), orphaned documents are deleted once a HEAD confirms the object is gone. Counts
 * go into the summary's `fixed` only when done.
 */
export class ReconcileFixer {
  private jobs: Array<{ kind: Discrepancy; target: JobTarget }> = [];
  private deletes: Array<Promise<void>> = [];

  constructor(
    private readonly deps: FixDeps,
    private readonly summary: { fixed: Record<Discrepancy, number> | null; notOrphaned: number },
  ) {}

  async enqueue(kind: Discrepancy, target: JobTarget): Promise<void> {
    this.jobs.push({ kind, target });
    if (this.jobs.length >= 10) await this.sendJobs();
  }

  async orphan(doc: IndexedFacts): Promise<void> {
    try {
      await this.deps.objects.head({ bucket: doc.bucket, key: doc.key, versionId: null });
      this.summary.notOrphaned += 1;
      return;
    } catch (err) {
      if (!(err instanceof DocsiftError) || err.code !== 'not_found') throw err;
    }
    this.deletes.push(this.deps.index.write({ type: 'delete', id: doc.id }).then(() => this.count('orphaned')));
    if (this.deletes.length >= MAX_PENDING_DELETES) await this.settleDeletes();
  }

  async finish(): Promise<void> {
    await this.sendJobs();
    await this.deps.index.flush();
    await this.settleDeletes();
  }

  private count(kind: Discrepancy, n = 1): void {
    if (this.summary.fixed) this.summary.fixed[kind] += n;
  }

  private async sendJobs(): Promise<void> {
    const jobs = this.jobs;
    this.jobs = [];
    if (jobs.length === 0) return;
    const result = await this.deps.enqueuer.send(jobs.map((j) => j.target));
    jobs.slice(0, result.sentInOrder).forEach((j) => this.count(j.kind));
    if (result.error) throw new Error(result.error);
  }

  private async settleDeletes(): Promise<void> {
    const pending = this.deletes;
    this.deletes = [];
    const results = await Promise.allSettled(pending);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
  }
}
