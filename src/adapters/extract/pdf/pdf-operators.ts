import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The drawing operations of one page, as pdf.js lists them. */
export interface OperatorList {
  fnArray: number[];
  argsArray: unknown[];
}

/** A page whose drawing expands past the cap (form XObjects drawing each other, fan-out). */
export class TooManyOperatorsError extends Error {
  override readonly name = 'TooManyOperatorsError';
  constructor(readonly limit: number) {
    super(`page expands to more than ${limit} drawing operations`);
  }
}

/** pdf.js's per-intent state of a page: the operator list it accumulates chunk by chunk. */
interface IntentState {
  operatorList: OperatorList & { lastChunk: boolean };
  opListReadCapability?: { promise: Promise<unknown> };
  renderTasks: Set<{ operatorListChanged(): void }>;
}

interface PageInternals {
  _intentStates: Map<unknown, IntentState>;
  _abortOperatorList(args: { intentState: IntentState; reason: Error; force: boolean }): void;
}

/**
 * `page.getOperatorList()` with a ceiling on its length. pdf.js streams a page's operators in chunks
 * of about 1,000 and inlines every form XObject each time it is drawn, so a page of forms that
 * draw the next form twice, 40 levels deep, lists 2^40 operations: the list alone exhausted the
 * heap. pdf.js offers no public limit; its own render tasks follow the list through the page's
 * intent state, so a watcher is registered there the same way and the stream is aborted at the
 * cap. (Bound to pdfjs-dist's internals of 6.x: test/unit/extract/pdf-operators.test.ts fails if
 * they move.) The caller must destroy the document after a TooManyOperatorsError: pdf.js's
 * evaluator behind an aborted stream keeps running until its task is terminated.
 */
export function boundedOperatorList(page: PDFPageProxy, limit: number): Promise<OperatorList> {
  const listed = page.getOperatorList() as Promise<OperatorList>;
  const internals = page as unknown as PageInternals;
  const state = [...internals._intentStates.values()].find((s) => s.opListReadCapability?.promise === listed);
  if (!state) throw new Error('pdf.js internals changed: no intent state for getOperatorList');
  if (state.operatorList.lastChunk) return listed;
  return new Promise<OperatorList>((resolve, reject) => {
    const watcher = {
      operatorListChanged() {
        if (state.operatorList.fnArray.length <= limit) return;
        state.renderTasks.delete(watcher);
        internals._abortOperatorList({ intentState: state, reason: new TooManyOperatorsError(limit), force: true });
        reject(new TooManyOperatorsError(limit));
      },
    };
    state.renderTasks.add(watcher);
    listed.then(
      (list) => {
        state.renderTasks.delete(watcher);
        resolve(list);
      },
      (err: unknown) => {
        state.renderTasks.delete(watcher);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
