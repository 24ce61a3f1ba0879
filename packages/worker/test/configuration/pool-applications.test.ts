import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIisnodeHandler } from '../../src/configuration/pool-applications.js';

test('a handler is the iisnode handler when iisnode is one of its modules, in any case and with spaces around it', () => {
  assert.equal(isIisnodeHandler('iisnode'), true);
  assert.equal(isIisnodeHandler('IISNode'), true);
  assert.equal(isIisnodeHandler('StaticFileModule, iisnode ,DefaultDocumentModule'), true);
  assert.equal(isIisnodeHandler('StaticFileModule,DefaultDocumentModule,DirectoryListingModule'), false);
  assert.equal(isIisnodeHandler('iisnodeModule'), false);
  assert.equal(isIisnodeHandler('my iisnode'), false);
  assert.equal(isIisnodeHandler(''), false);
  // Dotless and dotted capital I are not i.
  assert.equal(isIisnodeHandler('\u0131isnode'), false);
  assert.equal(isIisnodeHandler('\u0130isnode'), false);
});
