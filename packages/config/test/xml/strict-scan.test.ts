// The strict scan (scan-xml.ts) stands in for fast-xml-parser's validator when it ends: whatever it
// proves, the validator would have passed, and the document read is the one the validator and then the
// plain scan would have given — same tree, same error (file:line:column and wording) for every text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parseXmlDocument, XmlSyntaxError } from '../../src/xml/xml-document.js';
import { LineIndex } from '../../src/xml/line-index.js';
import { LONG_COMMENT_BODY, scanXml, XmlNotProven, XmlScanError } from '../../src/xml/scan-xml.js';

const repository = join(import.meta.dirname, '..', '..', '..', '..');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'iis-configs');

/** parseXmlDocument as it was before the strict scan: the validator, then the plain scan. */
function parsedTheOldWay(text: string): unknown {
  try {
    const forbidden = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.exec(text);
    if (forbidden) return { forbidden: forbidden.index };
    const verdict = XMLValidator.validate(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (verdict !== true) return { error: [verdict.err.line || 1, verdict.err.col || 1, verdict.err.msg] };
    const { nodes, root } = scanXml(text);
    if (!root) throw new XmlScanError('the file has no root element', 0);
    return { nodes: tree(nodes) };
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
    const at = new LineIndex(text).position(error.offset);
    return { error: [at.line, at.column, error.message] };
  }
}

function parsedNow(text: string): unknown {
  try {
    return { nodes: tree(parseXmlDocument(text, '/f').nodes) };
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    if (error.detail.startsWith('character U+')) return { forbidden: /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.exec(text)!.index };
    return { error: [error.line, error.column, error.detail] };
  }
}

const tree = (nodes: unknown): unknown => JSON.parse(JSON.stringify(nodes, (key, value: unknown) => (key === 'parent' ? undefined : value)));

function provenByStrictScan(text: string): boolean {
  try {
    scanXml(text, 0, text.length, undefined, true);
    return true;
  } catch (error) {
    if (error instanceof XmlScanError) return false;
    throw error;
  }
}

/** mulberry32: the same mutations on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '<', '>', '/', '=', '"', "'", '&', ';', '&amp;', '&#12;', '&#x1F;', '&#;', '&bad', '&abcdefghijklmnopqrstu;', ' ', '\t', '\n', '\r\n', '!', '?', '-',
  '<!--', '-->', '<?xml ', '<?xml version="1.0"?>', '<?pi x?>', '?>', '<![CDATA[', ']]>', '<!DOCTYPE x>', '<!x>', 'a', 'é', ':', '.', '1', '\f', '\u00a0', '\ufeff',
  ' x="1"', "y='2'", ' x="1"', '</a>', '<a>', '<b/>', '<é/>', '</ a>', '</a >', '<a x="1"x="2"/>', 'text',
];

const KNOWN_GOOD = [
  '<?xml version="1.0" encoding="utf-8"?>\n<!-- c -->\n<configuration a=\'1\'>\n  <x b="&lt;2&gt;" c = "3"/>\n  <![CDATA[<not>]]>\n  t &amp; &#65; &#x41;\n  <?pi data?>\n</configuration>\n',
  '\ufeff<?xml version="1.0"?><configuration><location path="a/b"><system.webServer><handlers><add name="x" path="*.js" verb="*" modules="iisnode" /></handlers></system.webServer></location></configuration>',
];

function corpus(): string[] {
  const texts = [readFileSync(join(repository, 'applicationHost.config'), 'utf8'), ...KNOWN_GOOD];
  for (const name of readdirSync(fixtures)) if (name.endsWith('.config')) texts.push(readFileSync(join(fixtures, name), 'utf8'));
  return texts;
}

test('the files and texts poolhost knows are proven by the strict scan alone, and read as before', () => {
  for (const text of corpus()) {
    assert.equal(XMLValidator.validate(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), true);
    assert.equal(provenByStrictScan(text), true, text.slice(0, 80));
    assert.deepEqual(parsedNow(text), parsedTheOldWay(text));
  }
});

/**
 * The mutation rounds: 6000 cases spread over the corpus, but a text over 16 KB gets 150 of them. A case
 * costs about its text's length (the validator, the scans and the tree run over all of it), and the four
 * 50–93 KB fixtures took ≈45 s of CPU with an equal share — on the 2-core CI box, a core taken from the
 * parallel tests for a minute. Their mutations are no different from the small files', which get the rest.
 */
function mutationRounds(texts: string[]): string[] {
  const large = texts.filter((text) => text.length > 16 * 1024);
  const small = texts.filter((text) => text.length <= 16 * 1024);
  const rounds: string[] = [];
  for (const text of large) for (let round = 0; round < 150; round++) rounds.push(text);
  for (let round = rounds.length; round < 6000; round++) rounds.push(small[round % small.length]!);
  return rounds;
}

test('what the validator refuses, the strict scan never proves; every text reads as it did (mutated files, 6000 cases)', () => {
  const next = random(17);
  const rounds = mutationRounds(corpus());
  let proven = 0;
  let refusedByValidator = 0;
  let notProvenButValid = 0;
  for (let text of rounds) {
    // Small files get more of the mutations that matter: each case is one to three edits.
    for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
      const at = Math.floor(next() * (text.length + 1));
      const kind = next();
      if (kind < 0.6) text = text.slice(0, at) + TOKENS[Math.floor(next() * TOKENS.length)]! + text.slice(at);
      else if (kind < 0.85) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
      else text = text.slice(0, at) + text.slice(at, at + 12) + text.slice(at);
    }
    const valid = XMLValidator.validate(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) === true;
    const strict = provenByStrictScan(text);
    if (strict) assert.equal(valid, true, `proven by the strict scan but refused by the validator: ${JSON.stringify(text)}`);
    assert.deepEqual(parsedNow(text), parsedTheOldWay(text), JSON.stringify(text));
    if (strict) proven++;
    if (!valid) refusedByValidator++;
    if (valid && !strict) notProvenButValid++;
  }
  // The mutations reach all three cases, so the assertions above are exercised.
  assert.ok(proven > 300, `proven ${proven}`);
  assert.ok(refusedByValidator > 1000, `refused ${refusedByValidator}`);
  assert.ok(notProvenButValid > 50, `not proven but valid ${notProvenButValid}`);
});

test('the bodies of long comments are left out of what the validator reads, and its positions carried back: every text reads as before (2000 cases)', () => {
  const next = random(29);
  // A third of the mutation rounds above (the large fixtures' share kept small the same way).
  const rounds = mutationRounds(corpus()).filter((_text, index) => index % 3 === 0);
  const FILLER = ['padding ', '"', "'", '<', '>', '/>', '\n', '\r\n', '&', '&amp;', '-', '->', '--', ']]>', '?>', '<a>', '</a>', '<!--', 'é', '\ufeff', ' x="1"'];
  const longComment = (): string => {
    let body = '';
    while (body.length < LONG_COMMENT_BODY + 200) body += next() < 0.8 ? 'padding ' : FILLER[Math.floor(next() * FILLER.length)]!;
    return `<!--${body}-->`;
  };
  let refusedAfterAComment = 0;
  for (let text of rounds) {
    // One or two long comments anywhere (in content, between attributes, in a value, before the root …),
    // then zero to two of the edits the test above makes.
    let lastCommentEnd = 0;
    for (let comments = 1 + Math.floor(next() * 2); comments > 0; comments--) {
      const at = Math.floor(next() * (text.length + 1));
      const comment = longComment();
      text = text.slice(0, at) + comment + text.slice(at);
      lastCommentEnd = Math.max(at <= lastCommentEnd ? lastCommentEnd + comment.length : lastCommentEnd, at + comment.length);
    }
    for (let edits = Math.floor(next() * 3); edits > 0; edits--) {
      const at = Math.floor(next() * (text.length + 1));
      const kind = next();
      if (kind < 0.6) text = text.slice(0, at) + TOKENS[Math.floor(next() * TOKENS.length)]! + text.slice(at);
      else if (kind < 0.85) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
      else text = text.slice(0, at) + text.slice(at, at + 12) + text.slice(at);
    }
    const before = parsedTheOldWay(text);
    assert.deepEqual(parsedNow(text), before, JSON.stringify(text));
    const error = (before as { error?: [number, number, string] }).error;
    if (error && new LineIndex(text).position(lastCommentEnd).line <= error[0]) refusedAfterAComment++;
  }
  // Refusals at or after the comments' line, where a position is carried back, are many.
  assert.ok(refusedAfterAComment > 100, `refused after a comment ${refusedAfterAComment}`);
});

test('a strict scan stops, without refusing, at each thing the validator refuses that the plain scan accepts', () => {
  const cases = [
    '<a b="1"c="2"/>', // no white space before an attribute
    '<a b="1" b="2"/>', // an attribute twice
    '<a é="1"/>', // a name the strict scan does not prove (the validator accepts this one)
    '<a><b>x &bad c</b></a>', // an & that is not a reference
    'x<a/>', // text before the root
    '<a/>x', // text after it
    '<a/><?xml version="1.0"?>', // an XML declaration not first
    '<!DOCTYPE a><a/>',
    '<a></ a>',
    '<![CDATA[x]]><a/>',
    '<!-- no root element -->',
    '',
  ];
  for (const text of cases) {
    assert.throws(() => scanXml(text, 0, text.length, undefined, true), XmlNotProven, text);
    assert.doesNotThrow(() => scanXml(text), text);
    assert.deepEqual(parsedNow(text), parsedTheOldWay(text), text);
  }
  // The validator's own words where it refuses (no root: "Start tag expected", not the scanner's).
  assert.deepEqual(parsedNow('<!-- no root element -->'), { error: [1, 1, 'Start tag expected.'] });
});
