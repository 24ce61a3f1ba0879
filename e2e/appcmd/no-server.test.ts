// Runtime verbs with no poolhost running: IIS's "service not available" error form, a non-zero exit
// code, and an answer without waiting on anything (never a hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appcmd } from './appcmd-process.js';
import { applicationHostConfig } from '../support/config-builder.js';

test('start/stop/recycle, list wp and list requests without a server fail with hresult 800710d8 instead of hanging', async () => {
  const root = mkdtempSync(join(tmpdir(), 'appcmd-noserver-'));
  const file = join(root, 'applicationHost.config');
  writeFileSync(file, applicationHostConfig({ pools: [{ name: 'DefaultAppPool' }], sites: [{ name: 'S', id: 1, bindings: ['*:8081:'], applications: [{ path: '/', physicalPath: '/srv/s' }] }] }).replaceAll('{{root}}', root));
  const env = { POOLHOST_RUN_DIR: join(root, 'run'), POOLHOST_CONFIG: file };
  const expected = 'ERROR ( hresult:800710d8, message:Command execution failed.\nThe object identifier does not represent a valid object.\n )\n';
  for (const args of [['start', 'apppool', 'DefaultAppPool'], ['stop', 'apppool', 'DefaultAppPool'], ['recycle', 'apppool', 'DefaultAppPool'], ['start', 'site', 'S'], ['stop', 'site', 'S'], ['list', 'wp'], ['list', 'requests']]) {
    const result = await appcmd(args, { env });
    assert.deepEqual([result.code, result.stdout], [216, expected], args.join(' '));
    // No socket to connect to is an immediate ENOENT. The bound tells that from waiting on a request (appcmd's
    // request timeout is 30 s) or a hang, and leaves room for a Node CLI start on a loaded 2-core machine.
    assert.ok(result.ms < 25_000, `${args.join(' ')} took ${result.ms} ms`);
  }
  assert.equal((await appcmd(['list', 'apppools'], { env })).stdout, 'APPPOOL "DefaultAppPool" (MgdVersion:,MgdMode:Integrated,state:Unknown)\n');
});
