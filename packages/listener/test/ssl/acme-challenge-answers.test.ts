import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acmeChallengeDirectory } from '@poolhost/protocol';
import { AcmeChallengeAnswers, isAcmeChallengeUrl } from '../../src/ssl/acme-challenge-answers.js';

test('a pending token is answered with its key authorization; anything else goes on to the site', () => {
  const runDirectory = mkdtempSync(join(tmpdir(), 'poolhost-acme-answers-'));
  const token = 'XoU8jD6Ngk1nRNFQ6zjV6KaocPoZoOVcbygj6lSw8Z8';
  mkdirSync(acmeChallengeDirectory(runDirectory));
  writeFileSync(join(acmeChallengeDirectory(runDirectory), token), `${token}.thumbprint`);
  const answers = new AcmeChallengeAnswers(runDirectory);
  const date = 'Wed, 02 Dec 2026 03:00:00 GMT';
  const answer = answers.answer(`/.well-known/acme-challenge/${token}`, date)!.toString('latin1');
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, new RegExp(`Content-Length: ${token.length + 11}\r\n\r\n${token}\\.thumbprint$`));
  assert.equal(answers.answer('/.well-known/acme-challenge/unknownTokenUnknownToken', date), null, 'not pending');
  assert.equal(answers.answer('/.well-known/acme-challenge/../../etc/passwd', date), null, 'never a path');
  assert.equal(answers.answer(`/.well-known/acme-challenge/${token}?x=1`, date), null);
  assert.equal(isAcmeChallengeUrl('/.well-known/acme-challenge/abc'), true);
  assert.equal(isAcmeChallengeUrl('/index.html'), false);
});

test('in a web farm a token pending in the shared folder is answered too: the host that ordered may not be the one the CA reaches', () => {
  const runDirectory = mkdtempSync(join(tmpdir(), 'poolhost-acme-answers-'));
  const shared = mkdtempSync(join(tmpdir(), 'poolhost-acme-shared-'));
  const token = 'sharedTokenOfAnotherHost_0123456789';
  mkdirSync(acmeChallengeDirectory(shared));
  writeFileSync(join(acmeChallengeDirectory(shared), token), `${token}.farm`);
  const date = 'Wed, 02 Dec 2026 03:00:00 GMT';
  assert.equal(new AcmeChallengeAnswers(runDirectory).answer(`/.well-known/acme-challenge/${token}`, date), null, 'not a farm: the share is not read');
  const answer = new AcmeChallengeAnswers(runDirectory, shared).answer(`/.well-known/acme-challenge/${token}`, date)!.toString('latin1');
  assert.match(answer, new RegExp(`\r\n\r\n${token}\\.farm$`));
});
