import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlDocument, XmlSyntaxError } from '../../src/xml/xml-document.js';
import { childElements } from '../../src/xml/xml-node.js';

test('records exact offsets of elements and attributes', () => {
  const text = '<?xml version="1.0"?>\r\n<!-- c -->\r\n<configuration a=\'1\'>\r\n  <x b="&lt;2&gt;" c = "3"/>\r\n  <![CDATA[<not>]]>\r\n</configuration>\r\n';
  const document = parseXmlDocument(text, '/f');
  const root = document.root;
  assert.equal(root.name, 'configuration');
  assert.equal(text.slice(root.start, root.end).startsWith('<configuration'), true);
  assert.equal(text.slice(root.start, root.end).endsWith('</configuration>'), true);
  const [x] = childElements(root);
  assert.equal(x!.selfClosing, true);
  assert.equal(text.slice(x!.start, x!.end), '<x b="&lt;2&gt;" c = "3"/>');
  assert.equal(x!.attributes[0]!.value, '<2>');
  assert.equal(text.slice(x!.attributes[1]!.start, x!.attributes[1]!.end), 'c = "3"');
  assert.equal(text.slice(x!.attributes[0]!.valueStart, x!.attributes[0]!.valueEnd), '&lt;2&gt;');
  assert.deepEqual(document.lines.position(x!.start), { line: 4, column: 3 });
  assert.equal(root.attributes[0]!.quote, "'");
});

test('well-formedness errors carry line and column', () => {
  assert.throws(
    () => parseXmlDocument('<a>\n  <b>\n</a>', '/f'),
    (error: unknown) => error instanceof XmlSyntaxError && error.line === 3 && error.column === 1,
  );
});
