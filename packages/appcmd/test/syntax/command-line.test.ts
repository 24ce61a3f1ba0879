import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findValueSeparator, parseCommandLine, parseParameter, unquote } from '../../src/syntax/command-line.js';

test('verb, object and a quoted identifier with spaces', () => {
  const line = parseCommandLine(['LIST', 'site', 'Default Web Site']);
  assert.equal(line.verb, 'list');
  assert.equal(line.objectType, 'site');
  assert.equal(line.identifier, 'Default Web Site');
  assert.deepEqual(line.parameters, []);
});

test('slash and dash prefixes are interchangeable; the value is everything after the first colon', () => {
  assert.deepEqual(parseParameter('/processModel.idleTimeout:00:30:00'), {
    operation: 'set', name: 'processModel.idleTimeout', value: '00:30:00', escaped: false, raw: '/processModel.idleTimeout:00:30:00',
  });
  assert.equal(parseParameter('-name:Pool_Site1').name, 'name');
  assert.equal(parseParameter('-processModel.username:HOST\\PoolId1').value, 'HOST\\PoolId1');
  assert.equal(parseParameter('/physicalPath:/srv/www').value, '/srv/www');
});

test('/+ and /- carry collection indexers whose values may hold colons and commas', () => {
  const added = parseParameter("/+bindings.[protocol='http',bindingInformation='*:81:']");
  assert.equal(added.operation, 'add');
  assert.equal(added.name, "bindings.[protocol='http',bindingInformation='*:81:']");
  assert.equal(added.value, undefined);
  const removed = parseParameter("/-[name='MyModule']");
  assert.equal(removed.operation, 'remove');
  assert.equal(removed.name, "[name='MyModule']");
  const setItem = parseParameter("/[name='DefaultAppPool'].failure.rapidFailProtectionMaxCrashes:\"5\"");
  assert.equal(setItem.name, "[name='DefaultAppPool'].failure.rapidFailProtectionMaxCrashes");
  assert.equal(setItem.value, '5');
});

test('quotes around the whole parameter or the value are removed, as cmd.exe would', () => {
  assert.equal(parseParameter('"/app.name:MySite/app1"').value, 'MySite/app1');
  assert.equal(parseParameter('/app.name:"MySite/app1"').value, 'MySite/app1');
  assert.equal(parseParameter("/+\"[name='Contoso'].recycling.periodicRestart.schedule.[value='03:00:00']\"").name, "[name='Contoso'].recycling.periodicRestart.schedule.[value='03:00:00']");
  assert.equal(unquote('"x"'), 'x');
  assert.equal(unquote('x"'), 'x"');
});

test('/! escapes a property named like a general parameter; a lone - means /in', () => {
  const escaped = parseParameter('/!debug:true');
  assert.equal(escaped.escaped, true);
  assert.equal(escaped.name, 'debug');
  const line = parseCommandLine(['recycle', 'apppools', '-']);
  assert.equal(line.identifier, undefined);
  assert.equal(line.parameters[0]!.name, 'in');
});

test('/? and -? ask for help at any position', () => {
  assert.equal(parseCommandLine(['/?']).help, true);
  assert.equal(parseCommandLine(['site', '-?']).help, true);
  assert.equal(parseCommandLine(['list', 'site', '/?']).objectType, 'site');
});

test('filters and flags without values', () => {
  const line = parseCommandLine(['list', 'sites', '/serverAutoStart:false', '/state:Stopped', '/xml', '/text:*']);
  assert.deepEqual(line.parameters.map((p) => [p.name, p.value]), [['serverAutoStart', 'false'], ['state', 'Stopped'], ['xml', undefined], ['text', '*']]);
});

test('a Linux path is an identifier, not a parameter', () => {
  const line = parseCommandLine(['inspect', 'trace', '/var/log/poolhost/W3SVC1/fr000001.xml']);
  assert.equal(line.identifier, '/var/log/poolhost/W3SVC1/fr000001.xml');
  assert.equal(parseCommandLine(['list', 'requests', '/url:/loop.php']).parameters[0]!.value, '/loop.php');
});

test('a fourth positional word is refused with IIS wording', () => {
  assert.throws(() => parseCommandLine(['list', 'site', 'a', 'b']), /The parameter 'b' must begin with a \/ or -/);
});

test('findValueSeparator skips colons inside quotes and brackets', () => {
  assert.equal(findValueSeparator("[a='1:2'].b:c"), 11);
  assert.equal(findValueSeparator('"x:y"'), -1);
  assert.equal(findValueSeparator('name'), -1);
});
