import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInputXml } from '../../src/input/read-input.js';
import { AppcmdError } from '../../src/errors.js';

test('reads the objects of an /xml result set, nested /config elements ignored', () => {
  const records = parseInputXml(`<?xml version="1.0" encoding="UTF-8"?>
<appcmd>
    <REQUEST REQUEST.NAME="f000000080000004" WP.NAME="4242" APPPOOL.NAME="Slow &amp; Steady" url="/loop" />
    <APPPOOL APPPOOL.NAME="DefaultAppPool" state="Started">
        <add name="DefaultAppPool" />
    </APPPOOL>
</appcmd>
`);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.objectType, 'REQUEST');
  assert.equal(records[0]!.attributes.get('APPPOOL.NAME'), 'Slow & Steady');
  assert.equal(records[1]!.attributes.get('state'), 'Started');
});

test('an empty result set and empty input give no objects', () => {
  assert.deepEqual(parseInputXml('<appcmd />'), []);
  assert.deepEqual(parseInputXml('<?xml version="1.0"?>\n<appcmd>\n</appcmd>\n'), []);
  assert.deepEqual(parseInputXml(''), []);
});

test('anything else is "The data is invalid." (hresult 8007000d)', () => {
  for (const text of ['SITE "x" (id:1)', '<appcmd><SITE></appcmd>', '<other />', '<appcmd>text</appcmd>']) {
    assert.throws(() => parseInputXml(text), (error: unknown) => error instanceof AppcmdError && error.hresult === '8007000d' && error.exitCode === 13);
  }
});
