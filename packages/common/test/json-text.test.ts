import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJsonSyntaxFault, locateJsonSyntaxFault, parseJsonText } from '../src/index.js';

test('a valid text parses to its value', () => {
  assert.deepEqual(parseJsonText('{"sslcert": [1, "two", null, true, -0.5e3]}'), { ok: true, value: { sslcert: [1, 'two', null, true, -500] } });
});

test('a fault is located as line:column with what was expected there, and none of the text is quoted', () => {
  const text = '{\n  "sslcert": [\n    {"keyfile": "SECRET-KEY-BYTES" "certfile": "x"}\n  ]\n}';
  const result = parseJsonText(text);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.fault, { line: 3, column: 36, reason: "expected ',' or '}'" });
  const message = formatJsonSyntaxFault('/etc/poolhost/sslcert.json', result.fault);
  assert.equal(message, "/etc/poolhost/sslcert.json:3:36: not valid JSON: expected ',' or '}'");
  assert.doesNotMatch(message, /SECRET/);
});

test('each kind of fault is named', () => {
  const cases: [string, number, number, RegExp][] = [
    ['', 1, 1, /ends where a value/],
    ['{"a": }', 1, 7, /expected a value/],
    ['{a: 1}', 1, 2, /member name in double quotes/],
    ['{"a" 1}', 1, 6, /':' after the member name/],
    ['[1, 2', 1, 6, /ends where ',' or '\]'/],
    ['"abc', 1, 5, /closing " is missing/],
    ['"a\\qb"', 1, 3, /unknown escape/],
    ['"\\u12G4"', 1, 2, /four hex digits/],
    ['"tab\there"', 1, 5, /control character/],
    ['{"a": 1} x', 1, 10, /after the JSON value/],
    ['[01]', 1, 3, /',' or '\]'/],
    ['{"a": tru}', 1, 7, /expected a value/],
  ];
  for (const [text, line, column, reason] of cases) {
    const fault = locateJsonSyntaxFault(text);
    assert.equal(`${fault.line}:${fault.column}`, `${line}:${column}`, text);
    assert.match(fault.reason, reason, text);
  }
});
