// The iisnode web.config files saved from real repositories (packages/config/test/fixtures/iis-configs),
// read verbatim, for the apps they describe.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../support/poolhost-instance.js';

export function iisnodeWebConfig(name: string): string {
  return readFileSync(join(repositoryRoot, 'packages', 'config', 'test', 'fixtures', 'iis-configs', name), 'utf8');
}
