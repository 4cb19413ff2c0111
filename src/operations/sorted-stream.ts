import { compareKeys } from '../domain/coverage/s3-uri.js';

/**
 * One item at a time from pages of items sorted by key (UTF-8 order), with a look at the next one.
 * A key lower than the one before means the source is not sorted the way a merge needs: that is an
 * error, not a silent miscount.
 */
export class SortedStream<T> {
  private page: T[] = [];
  private at = 0;
  private lastKey: string | null = null;
  private done = false;
  private readonly pages: AsyncIterator<T[]>;

  constructor(
    pages: AsyncIterable<T[]>,
    private readonly keyOf: (item: T) => string,
    private readonly what: string,
  ) {
    this.pages = pages[Symbol.asyncIterator]();
  }

  async peek(): Promise<T | undefined> {
    while (this.at >= this.page.length && !this.done) {
      const next = await this.pages.next();
      if (next.done) this.done = true;
      else {
        this.page = next.value;
        this.at = 0;
      }
    }
    return this.at < this.page.length ? this.page[this.at] : undefined;
  }

  async next(): Promise<T | undefined> {
    const item = await this.peek();
    if (item === undefined) return undefined;
    this.at += 1;
    const key = this.keyOf(item);
    if (this.lastKey !== null && compareKeys(key, this.lastKey) < 0) {
      throw new Error(`${this.what} is not in UTF-8 key order ("${key.slice(0, 80)}" came after "${this.lastKey.slice(0, 80)}")`);
    }
    this.lastKey = key;
    return item;
  }

  /** Every item with the same key as the next one. */
  async takeKey(key: string): Promise<T[]> {
    const out: T[] = [];
    for (let item = await this.peek(); item !== undefined && this.keyOf(item) === key; item = await this.peek()) out.push((await this.next()) as T);
    return out;
  }
}
