/**
 * The characters one document may still produce (INDEXED_CHARS), spent while extracting: a reader
 * stops as soon as the budget is gone instead of building the whole text and cutting it after.
 * Shared-string and form-XObject amplification turn kilobytes into gigabytes of text; with a
 * budget they cost at most `max` characters.
 */
export class TextBudget {
  private parts: string[] = [];
  private used = 0;
  /** True once something was left out because the budget ran out. */
  cut = false;

  constructor(readonly max: number) {}

  get remaining(): number {
    return Math.max(0, this.max - this.used);
  }

  get exhausted(): boolean {
    return this.used >= this.max;
  }

  /** Appends what fits; returns false (and marks the text cut) once the budget is spent. */
  add(text: string): boolean {
    if (text === '') return !this.exhausted;
    const room = this.max - this.used;
    if (room <= 0) {
      this.cut = true;
      return false;
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    this.parts.push(kept);
    this.used += kept.length;
    if (kept.length < text.length) this.cut = true;
    return !this.exhausted;
  }

  text(): string {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return this.parts[0] ?? '';
  }
}
