import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asksForSomething, classifyAttribute, isGeneralAttribute, type AttributeNames } from '../../src/validation/attribute-names.js';

const processModel: AttributeNames = {
  element: 'processModel',
  known: ['identityType', 'userName', 'logonType'],
  notHonoured: { logonType: { inert: 'LogonBatch', reason: 'no Windows logon' } },
};

test('IIS takes lock attributes, configSource and XML namespace declarations on every element', () => {
  for (const name of ['lockAttributes', 'lockAllAttributesExcept', 'lockElements', 'lockAllElementsExcept', 'lockItem', 'configSource', 'xmlns', 'xmlns:xdt']) {
    assert.equal(isGeneralAttribute(name), true, name);
    assert.equal(classifyAttribute(processModel, name), 'known', name);
  }
  assert.equal(isGeneralAttribute('lockattributes'), false, 'names are case-sensitive');
  assert.equal(isGeneralAttribute('xdt:Transform'), false);
});

test('an attribute is known, not honoured or unrecognized; names are case-sensitive as in IIS', () => {
  assert.equal(classifyAttribute(processModel, 'identityType'), 'known');
  assert.equal(classifyAttribute(processModel, 'logonType'), 'notHonoured', 'not honoured wins over the schema poolhost parses it with');
  assert.equal(classifyAttribute(processModel, 'IdentityType'), 'unrecognized');
  assert.equal(classifyAttribute(processModel, 'fooBar'), 'unrecognized');
  assert.equal(classifyAttribute(processModel, 'constructor'), 'unrecognized', 'no Object.prototype member counts as a name');
});

test("a not honoured attribute asks for something unless it has IIS's default (trimmed, case-insensitive)", () => {
  const logonType = processModel.notHonoured!.logonType!;
  assert.equal(asksForSomething(logonType, 'LogonBatch'), false);
  assert.equal(asksForSomething(logonType, ' logonbatch '), false);
  assert.equal(asksForSomething(logonType, 'LogonService'), true);
  assert.equal(asksForSomething({ inert: '', reason: '' }, ''), false);
  assert.equal(asksForSomething({ inert: '', reason: '' }, 'v4.0'), true);
});
