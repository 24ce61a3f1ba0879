import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAttributeValue, describeCollection, describeElement } from '../../src/index.js';

test('describeElement finds pool, site, binding and system.webServer elements, case-insensitively and through <location>', () => {
  const pool = describeElement('system.applicationHost/applicationPools/add');
  assert.ok(pool);
  assert.deepEqual(pool.required, ['name']);
  assert.equal(pool.attributes.queueLength?.default, 1000);
  assert.ok(describeElement('system.applicationHost/applicationPools/add/processModel')?.attributes.idleTimeout);
  assert.ok(describeElement('SYSTEM.applicationHost/sites/site/bindings/binding')?.attributes.bindingInformation);
  assert.ok(describeElement('location/system.webServer/directoryBrowse')?.attributes.enabled);
  assert.equal(describeElement('system.webServer/rewrite/rules'), undefined);
});

test('describeCollection names the entry element and its keys', () => {
  assert.deepEqual(describeCollection('system.applicationHost/sites'), { addElement: 'site', keys: ['name'] });
  assert.deepEqual(describeCollection('system.applicationHost/sites/site/bindings'), { addElement: 'binding', keys: ['protocol', 'bindingInformation'] });
  assert.deepEqual(describeCollection('system.applicationHost/sites/site'), { addElement: 'application', keys: ['path'] });
  assert.deepEqual(describeCollection('system.webServer/httpErrors'), { addElement: 'error', keys: ['statusCode', 'subStatusCode'] });
  assert.deepEqual(describeCollection('system.webServer/modules'), { addElement: 'add', keys: ['name'] });
});

test('checkAttributeValue answers with IIS configuration-system wording and canonical casing', () => {
  const pool = describeElement('system.applicationHost/applicationPools/add')!;
  const processModel = describeElement('system.applicationHost/applicationPools/add/processModel')!;
  assert.deepEqual(checkAttributeValue(pool.attributes.queueLength!, '5'), { ok: false, message: 'Integer value must be between 10 and 65535 inclusive' });
  assert.deepEqual(checkAttributeValue(pool.attributes.queueLength!, '4000'), { ok: true, text: '4000' });
  assert.deepEqual(checkAttributeValue(pool.attributes.managedPipelineMode!, 'classic'), { ok: true, text: 'Classic' });
  assert.deepEqual(checkAttributeValue(processModel.attributes.pingingEnabled!, 'FALSE'), { ok: true, text: 'false' });
  assert.deepEqual(checkAttributeValue(processModel.attributes.idleTimeout!, '00:00:30'), {
    ok: false,
    message: 'Timespan value must be between 00:00:00 and 30.00:00:00 seconds inclusive, with a granularity of 60 seconds',
  });
  assert.deepEqual(checkAttributeValue(processModel.attributes.idleTimeout!, '00:30:00'), { ok: true, text: '00:30:00' });
  assert.equal(checkAttributeValue(pool.attributes.managedPipelineMode!, 'Both').ok, false);
});
