import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../src/xml/line-index.js';

/** Every offset's line and column, counted one character at a time. */
function positionsCounted(text: string): Array<{ line: number; column: number }> {
  const out: Array<{ line: number; column: number }> = [];
  let line = 1;
  let column = 1;
  for (let offset = 0; offset <= text.length; offset++) {
    out.push({ line, column });
    if (text[offset] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return out;
}

test('line and column of every offset, asked in any order (line starts are found only as far as asked)', () => {
  const texts = ['', 'a', '\n', '\n\n', 'ab\ncd', 'ab\r\ncd\r\n', '<a>\n  <b/>\r\n\n</a>', 'x'.repeat(100) + '\n' + 'y'.repeat(50)];
  for (const text of texts) {
    const expected = positionsCounted(text);
    const forwards = new LineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) assert.deepEqual(forwards.position(offset), expected[offset], `${JSON.stringify(text)} @${offset}`);
    const backwards = new LineIndex(text);
    for (let offset = text.length; offset >= 0; offset--) assert.deepEqual(backwards.position(offset), expected[offset], `${JSON.stringify(text)} @${offset}`);
    // The end first, then the beginning: the index found so far answers both.
    const jumping = new LineIndex(text);
    for (const offset of [text.length, 0, Math.floor(text.length / 2), text.length]) assert.deepEqual(jumping.position(offset), expected[offset]);
  }
});
