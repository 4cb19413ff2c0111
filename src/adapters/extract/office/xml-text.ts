import type { TextBudget } from '../text-budget.js';
import type { SaxHandler } from './xml-stream.js';

export interface TextRules {
  /** Only text inside these elements counts; null: all text. */
  textTags: ReadonlySet<string> | null;
  /** A newline after each of these. */
  blockTags: ReadonlySet<string>;
  /** A tab after each of these; their own paragraphs stay on the row, joined by spaces. */
  cellTags?: ReadonlySet<string>;
  /** Elements that stand for characters (line breaks, tabs, runs of spaces). */
  charTags?: Readonly<Record<string, (attrs: Record<string, string>) => string>>;
  /** Elements whose whole content is not the document's text (comments, tracked deletions). */
  skipTags?: ReadonlySet<string>;
}

/**
 * Document-order text of one XML part, with line and cell breaks where the rules say, spent from a
 * shared budget as it streams.
 */
export class TextCollector implements SaxHandler {
  private inside = 0;
  private skipping = 0;
  private cells = 0;
  private pendingSpace = false;

  constructor(
    private readonly rules: TextRules,
    private readonly budget: TextBudget,
  ) {}

  open(name: string, attrs: Record<string, string>): void {
    if (this.skipping > 0 || this.rules.skipTags?.has(name)) {
      this.skipping += 1;
      return;
    }
    const char = this.rules.charTags?.[name];
    if (char) return this.emit(char(attrs));
    if (this.rules.textTags?.has(name)) this.inside += 1;
    if (this.rules.cellTags?.has(name)) this.cells += 1;
  }

  close(name: string): void {
    if (this.skipping > 0) {
      this.skipping -= 1;
      return;
    }
    if (this.rules.charTags?.[name]) return;
    if (this.rules.textTags?.has(name)) this.inside -= 1;
    if (this.rules.cellTags?.has(name)) {
      this.cells -= 1;
      this.pendingSpace = false;
      this.budget.add('\t');
    } else if (this.rules.blockTags.has(name)) {
      if (this.cells > 0) this.pendingSpace = true;
      else this.budget.add('\n');
    }
  }

  text(text: string): void {
    if (this.skipping > 0 || (this.rules.textTags !== null && this.inside === 0)) return;
    this.emit(text);
  }

  done(): boolean {
    return this.budget.exhausted;
  }

  private emit(text: string): void {
    if (text === '') return;
    if (this.cells > 0) {
      text = text.replace(/\n/g, ' ');
      if (this.pendingSpace) text = ` ${text}`;
      this.pendingSpace = false;
    }
    this.budget.add(text);
  }
}

/** Trims each line, drops trailing tabs and collapses runs of blank lines. */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\t+$/, '').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
