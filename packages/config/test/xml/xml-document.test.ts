import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfigBytes } from '../../src/xml/xml-document.js';

test('decodeConfigBytes: UTF-8 when the bytes are valid UTF-8 (they then save back identically), else Latin-1; UTF-16LE by its byte order mark', () => {
  const samples: Array<[number[], string]> = [
    [[0x3c, 0x61, 0x2f, 0x3e], 'utf8'],
    [[0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e], 'utf8'], // byte order mark, kept in the text
    [[0xc3, 0xa9], 'utf8'],
    [[0xf0, 0x9f, 0x98, 0x80], 'utf8'],
    [[0xef, 0xbf, 0xbd], 'utf8'], // U+FFFD itself
    [[0xef, 0xbf, 0xbf], 'utf8'], // U+FFFF: valid UTF-8 (the XML check refuses it later)
    [[0xe9], 'latin1'],
    [[0xc0, 0x80], 'latin1'], // overlong
    [[0xed, 0xa0, 0x80], 'latin1'], // a surrogate
    [[0xf4, 0x90, 0x80, 0x80], 'latin1'], // above U+10FFFF
    [[0xe2, 0x82], 'latin1'], // truncated
    [[0x80], 'latin1'],
    [[0xff, 0xfe, 0x3c, 0x00], 'utf16le'],
  ];
  for (const [values, encoding] of samples) {
    const bytes = Buffer.from(values);
    const decoded = decodeConfigBytes(bytes);
    assert.equal(decoded.encoding, encoding, JSON.stringify(values));
    assert.ok(Buffer.from(decoded.text, decoded.encoding).equals(bytes), `round trip of ${JSON.stringify(values)}`);
  }
});
