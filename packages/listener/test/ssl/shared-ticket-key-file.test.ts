// The farm's ticket secret file: what it accepts, and the keys every host derives from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_ROTATION_SECONDS,
  deriveTicketKeys,
  newSharedTicketKeyFile,
  parseSharedTicketKeyFile,
  ticketKeyWindow,
  type SharedTicketSecret,
} from '../../src/ssl/shared-ticket-key-file.js';

const secretOf = (text: string): SharedTicketSecret => {
  const parsed = parseSharedTicketKeyFile(text);
  assert.ok(!(parsed instanceof Error), parsed instanceof Error ? parsed.message : '');
  return parsed;
};

test('a new file holds a fresh 32-byte secret and the 12-hour rotation', () => {
  const first = secretOf(newSharedTicketKeyFile());
  const second = secretOf(newSharedTicketKeyFile());
  assert.equal(first.secret.length, 32);
  assert.equal(first.rotationSeconds, DEFAULT_ROTATION_SECONDS);
  assert.ok(!first.secret.equals(second.secret), 'each file its own secret');
});

test('refused: not JSON (without quoting the text), unknown members, short or non-base64 secrets, a rotation out of range', () => {
  const reason = (text: string) => {
    const parsed = parseSharedTicketKeyFile(text);
    assert.ok(parsed instanceof Error, `accepted: ${text}`);
    return parsed.message;
  };
  const secret = Buffer.alloc(32, 1).toString('base64');
  assert.equal(reason('hunter2 secret bytes'), 'not valid JSON at 1:1 (expected a value (object, array, string, number, true, false or null))');
  assert.equal(reason('{"secret": "hunter2" "rotationSeconds": 60}'), "not valid JSON at 1:22 (expected ',' or '}')");
  assert.match(reason('[]'), /expected \{"secret"/);
  assert.match(reason(JSON.stringify({ secret, rotation: 60 })), /unknown member "rotation"/);
  assert.match(reason(JSON.stringify({ secret: 'not base64!' })), /"secret" must be a base64 string/);
  assert.match(reason(JSON.stringify({ secret: Buffer.alloc(16).toString('base64') })), /holds 16 bytes; at least 32/);
  assert.match(reason(JSON.stringify({ secret, rotationSeconds: 10 })), /"rotationSeconds" must be a whole number from 60/);
  assert.match(reason(JSON.stringify({ secret, rotationSeconds: 90.5 })), /not 90\.5/);
  assert.equal(secretOf(JSON.stringify({ secret, rotationSeconds: 60 })).rotationSeconds, 60);
});

test('every host derives the same 48 bytes for a window; the next window and another secret give others', () => {
  const text = newSharedTicketKeyFile(3600);
  const hostA = secretOf(text);
  const hostB = secretOf(text);
  const now = Date.UTC(2026, 11, 2, 14, 30);
  const window = ticketKeyWindow(hostA, now);
  assert.equal(window, ticketKeyWindow(hostB, now + 29 * 60_000), 'same hour, same window');
  assert.equal(ticketKeyWindow(hostA, now + 30 * 60_000), window + 1, 'the window changes on the hour');
  const keys = deriveTicketKeys(hostA, window);
  assert.equal(keys.length, 48);
  assert.deepEqual(deriveTicketKeys(hostB, window), keys, 'both hosts derive the same keys');
  assert.notDeepEqual(deriveTicketKeys(hostA, window + 1), keys, 'rotation: the next window has other keys');
  assert.notDeepEqual(deriveTicketKeys(secretOf(newSharedTicketKeyFile(3600)), window), keys, 'another secret, other keys');
  const sameSecretOtherPeriod = { secret: hostA.secret, rotationSeconds: 7200 };
  assert.notDeepEqual(deriveTicketKeys(sameSecretOtherPeriod, window), keys, 'a period change never reuses a window key');
});
