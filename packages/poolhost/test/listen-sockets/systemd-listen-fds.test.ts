import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeSystemdListenFds } from '../../src/listen-sockets/systemd-listen-fds.js';

test('descriptors from 3 with their FileDescriptorName=, and the variables removed for the children', () => {
  const env: NodeJS.ProcessEnv = { LISTEN_PID: '4242', LISTEN_FDS: '2', LISTEN_FDNAMES: 'http:https', PATH: '/bin' };
  assert.deepEqual(takeSystemdListenFds(env, 4242), [
    { fd: 3, name: 'http' },
    { fd: 4, name: 'https' },
  ]);
  assert.deepEqual(env, { PATH: '/bin' });
});

test('without LISTEN_FDNAMES every descriptor is "unknown", as sd_listen_fds_with_names says', () => {
  assert.deepEqual(takeSystemdListenFds({ LISTEN_PID: '7', LISTEN_FDS: '1' }, 7), [{ fd: 3, name: 'unknown' }]);
});

test('sockets meant for another process (LISTEN_PID) or without LISTEN_PID are not taken, and still removed', () => {
  const env: NodeJS.ProcessEnv = { LISTEN_PID: '1', LISTEN_FDS: '1' };
  assert.deepEqual(takeSystemdListenFds(env, 4242), []);
  assert.deepEqual(env, {});
  assert.deepEqual(takeSystemdListenFds({ LISTEN_FDS: '1' }, 4242), []);
  assert.deepEqual(takeSystemdListenFds({}, 4242), []);
});

test('a LISTEN_FDS that is not a count, or names that do not match it, are refused with the values', () => {
  assert.throws(() => takeSystemdListenFds({ LISTEN_PID: '7', LISTEN_FDS: 'two' }, 7), /LISTEN_FDS="two" is not a number of descriptors/);
  assert.throws(
    () => takeSystemdListenFds({ LISTEN_PID: '7', LISTEN_FDS: '2', LISTEN_FDNAMES: 'http' }, 7),
    /LISTEN_FDNAMES="http" names 1 descriptors, LISTEN_FDS="2" passes 2/,
  );
});
