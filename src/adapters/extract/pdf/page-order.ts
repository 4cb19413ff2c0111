import type { TextBudget } from '../text-budget.js';

/**
 * Page texts into the document's text budget in page order, while pages finish out of order (OCR
 * runs several pages of one document at once). A page that gave nothing (failed, cancelled, left
 * out) is put as null so the pages after it are not held back. Held texts count against the
 * budget, so the text held here and in the budget together stay within INDEXED_CHARS.
 */
export class PageOrder {
  private next: number;
  private readonly waiting = new Map<number, string | null>();
  private held = 0;

  constructor(
    private readonly budget: TextBudget,
    private readonly first = 1,
  ) {
    this.next = first;
  }

  /** Characters a page read now may still add. */
  get room(): number {
    return Math.max(0, this.budget.remaining - this.held);
  }

  get exhausted(): boolean {
    return this.room <= 0;
  }

  put(page: number, text: string | null): void {
    if (page < this.next || this.waiting.has(page)) return;
    this.waiting.set(page, text);
    this.held += text?.length ?? 0;
    while (this.waiting.has(this.next)) this.flush(this.next);
  }

  /** Flushes what is held, in page order, past pages that never came. */
  finish(): void {
    for (const page of [...this.waiting.keys()].sort((a, b) => a - b)) this.flush(page);
  }

  private flush(page: number): void {
    const text = this.waiting.get(page) ?? null;
    this.waiting.delete(page);
    this.held -= text?.length ?? 0;
    if (page > this.first) this.budget.add('\n\n');
    if (text) this.budget.add(text);
    this.next = page + 1;
  }
}
