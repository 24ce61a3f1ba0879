import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors, exitCodeOf } from '../src/errors.js';

test('errors render in IIS form', () => {
  assert.equal(Errors.cannotFind('APPPOOL', 'X').render(), 'ERROR ( message:Cannot find APPPOOL object with identifier "X". )\n');
  assert.equal(Errors.duplicate('X').render(), 'ERROR ( message:Failed to add duplicate collection element "X". )\n');
  assert.equal(
    Errors.serviceUnavailable().render(),
    'ERROR ( hresult:800710d8, message:Command execution failed.\nThe object identifier does not represent a valid object.\n )\n',
  );
  assert.equal(Errors.objectNotSupported('foo').render(), "Object 'FOO' is not supported.  Run 'appcmd /?' to display supported objects.\n");
  assert.equal(Errors.mustUseExactIdentifier('APP', 'delete').render(), 'ERROR ( message:Must use exact identifer for APP object with verb DELETE. )\n');
});

test('exit codes are the Win32 code cut to 8 bits, never 0', () => {
  assert.equal(Errors.cannotFind('SITE', 'x').exitCode, 1168 & 0xff);
  assert.equal(Errors.duplicate('x').exitCode, 183);
  assert.equal(Errors.serviceUnavailable().exitCode, 216);
  assert.equal(exitCodeOf(256), 1);
});
