import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactLine } from '../../src/output/compact-line.js';
import { detailText } from '../../src/output/detail-text.js';
import { elementXml } from '../../src/output/element-xml.js';
import { renderList } from '../../src/output/render-list.js';
import { recordProperty, type AppcmdRecord } from '../../src/output/record.js';
import { xmlOutput } from '../../src/output/xml-output.js';

const site: AppcmdRecord = {
  objectType: 'SITE',
  identifier: 'Default Web Site',
  summary: 'id:1,bindings:http/*:80:,state:Started',
  properties: [['SITE.NAME', 'Default Web Site'], ['SITE.ID', '1'], ['bindings', 'http/*:80:'], ['state', 'Started']],
  element: { name: 'site', attributes: [['name', 'Default Web Site'], ['id', '1']], children: [{ name: 'bindings', attributes: [], children: [{ name: 'binding', attributes: [['protocol', 'http'], ['bindingInformation', '*:80:']], children: [] }] }] },
  effectiveElement: {
    name: 'site',
    attributes: [['name', 'Default Web Site'], ['id', '1'], ['serverAutoStart', 'true']],
    children: [{ name: 'limits', attributes: [['connectionTimeout', '00:02:00']], children: [] }],
  },
};

test('compact lines: parentheses, or none for BACKUP, and MODULE spacing', () => {
  assert.equal(compactLine(site), 'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)');
  assert.equal(compactLine({ objectType: 'BACKUP', identifier: 'MyBackup', summary: undefined, properties: [] }), 'BACKUP "MyBackup"');
  assert.equal(compactLine({ objectType: 'MODULE', identifier: 'StaticFileModule', summary: ' native, preCondition: ', properties: [] }), 'MODULE "StaticFileModule" ( native, preCondition: )');
});

test('/text:* prints synthesized properties then the element tree', () => {
  assert.deepEqual(detailText(site), [
    'SITE',
    '  SITE.NAME: Default Web Site',
    '  SITE.ID: 1',
    '  bindings: http/*:80:',
    '  state: Started',
    '  [site]',
    '    name:"Default Web Site"',
    '    id:"1"',
    '    serverAutoStart:"true"',
    '    [limits]',
    '      connectionTimeout:"00:02:00"',
  ]);
});

test('/text:<attribute> finds synthesized and element properties, case-insensitively', () => {
  assert.equal(recordProperty(site, 'site.id'), '1');
  assert.equal(recordProperty(site, 'serverAutoStart'), 'true');
  assert.equal(recordProperty(site, 'limits.connectionTimeout'), '00:02:00');
  assert.equal(recordProperty(site, 'nope'), undefined);
  assert.deepEqual(renderList([site], { xml: false, config: 'none', text: 'state' }), ['Started']);
});

test('/xml writes an <appcmd> result set; /config nests the element', () => {
  assert.deepEqual(xmlOutput([site], 'none'), [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<appcmd>',
    '    <SITE SITE.NAME="Default Web Site" SITE.ID="1" bindings="http/*:80:" state="Started" />',
    '</appcmd>',
  ]);
  const withConfig = xmlOutput([site], 'explicit');
  assert.equal(withConfig[2], '    <SITE SITE.NAME="Default Web Site" SITE.ID="1" bindings="http/*:80:" state="Started">');
  assert.equal(withConfig[3], '        <site name="Default Web Site" id="1">');
  assert.equal(withConfig[withConfig.length - 2], '    </SITE>');
  assert.deepEqual(xmlOutput([], 'none'), ['<?xml version="1.0" encoding="UTF-8"?>', '<appcmd>', '</appcmd>']);
});

test('element XML escapes attribute values and closes empty elements', () => {
  assert.deepEqual(elementXml({ name: 'add', attributes: [['value', 'a"b<c&']], children: [] }), ['<add value="a&quot;b&lt;c&amp;" />']);
  assert.deepEqual(renderList([site], { xml: false, config: 'explicit' }), [
    '<site name="Default Web Site" id="1">',
    '  <bindings>',
    '    <binding protocol="http" bindingInformation="*:80:" />',
    '  </bindings>',
    '</site>',
  ]);
  assert.equal(renderList([site], { xml: false, config: 'all' })[0], '<site name="Default Web Site" id="1" serverAutoStart="true">');
});
