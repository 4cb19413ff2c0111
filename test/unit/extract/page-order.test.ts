import { describe, expect, it } from 'vitest';
import { isBlankPage } from '../../../src/adapters/extract/blank-page.js';
import { PageOrder } from '../../../src/adapters/extract/pdf/page-order.js';
import { greyToPgm } from '../../../src/adapters/extract/pdf/pdf-render.js';
import { TextBudget } from '../../../src/adapters/extract/text-budget.js';

describe('PageOrder', () => {
  it('puts pages that finish out of order into the budget in page order', () => {
    const budget = new TextBudget(1000);
    const order = new PageOrder(budget);
    order.put(2, 'two');
    order.put(3, 'three');
    expect(budget.text()).toBe('');
    order.put(1, 'one');
    expect(budget.text()).toBe('one\n\ntwo\n\nthree');
  });

  it('a page that gave nothing does not hold back the pages after it; finish flushes past gaps', () => {
    const budget = new TextBudget(1000);
    const order = new PageOrder(budget);
    order.put(1, 'one');
    order.put(2, null);
    order.put(3, 'three');
    order.put(5, 'five');
    order.finish();
    expect(budget.text()).toBe('one\n\n\n\nthree\n\nfive');
  });

  it('held text counts against the budget: room shrinks while pages wait', () => {
    const budget = new TextBudget(10);
    const order = new PageOrder(budget);
    order.put(2, '12345678');
    expect(order.room).toBe(2);
    order.put(3, 'abc');
    expect(order.exhausted).toBe(true);
    order.put(1, 'x');
    expect(budget.text().length).toBe(10);
    expect(budget.cut).toBe(true);
  });
});

function page(width: number, height: number, paint: (x: number, y: number) => number) {
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) grey[y * width + x] = paint(x, y);
  return greyToPgm(grey, width, height);
}

describe('isBlankPage', () => {
  const A4 = { w: 1654, h: 2339 };
  it.each([
    ['white paper', () => 255, true],
    ['grey recycled paper with faint noise', (x: number, y: number) => 200 + ((x * 7 + y * 13) % 9), true],
    ['one short word of dark print (about 40 x 20 px of ink)', (x: number, y: number) => (x >= 800 && x < 840 && y >= 100 && y < 120 ? 0 : 255), false],
    ['a line of light-grey print on white', (x: number, y: number) => (y >= 300 && y < 320 && x >= 100 && x < 1500 && x % 3 === 0 ? 170 : 255), false],
    ['a photograph (mid-grey everywhere, varied)', (x: number, y: number) => (x * y) % 256, false],
  ])('%s → blank %s', (_name, paint, blank) => {
    expect(isBlankPage(page(A4.w, A4.h, paint))).toBe(blank);
  });

  it('never calls an encoded image (not PGM) blank', () => {
    expect(isBlankPage({ data: Buffer.from([0x89, 0x50, 0x4e, 0x47]), width: 1, height: 1 })).toBe(false);
  });
});
