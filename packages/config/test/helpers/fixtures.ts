// Locates the real IIS config fixtures (the in-repo copy first, then ../shared beside the repo) and
// makes throwaway folders for tests that write files.

import { existsSync, mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');

export const FIXTURE_DIR = [join(here, '..', 'fixtures', 'iis-configs'), join(repoRoot, '..', 'shared', 'fixtures', 'iis-configs')].find((dir) =>
  existsSync(dir),
)!;

export const fixture = (name: string): string => join(FIXTURE_DIR, name);

export const allFixtures = (): string[] => readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.config')).sort();
export const applicationHostFixtures = (): string[] => allFixtures().filter((name) => !name.endsWith('web.config'));
export const webConfigFixtures = (): string[] => allFixtures().filter((name) => name.endsWith('web.config'));

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'poolhost-config-'));
}

/** Writes files (relative path → content) under a new temp folder and returns it. */
export function writeTree(files: Record<string, string>): string {
  const root = tempDir();
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** A small applicationHost.config around the given applicationHost / webServer fragments. */
export function applicationHost(parts: { pools?: string; sites?: string; applicationHost?: string; webServer?: string; tail?: string; configSections?: string }): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<configuration>',
    parts.configSections ?? '',
    '    <system.applicationHost>',
    '        <applicationPools>',
    parts.pools ?? '            <add name="DefaultAppPool" />',
    '        </applicationPools>',
    '        <sites>',
    parts.sites ??
      [
        '            <site name="Default Web Site" id="1">',
        '                <application path="/">',
        '                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />',
        '                </application>',
        '                <bindings>',
        '                    <binding protocol="http" bindingInformation="*:80:" />',
        '                </bindings>',
        '            </site>',
      ].join('\n'),
    '        </sites>',
    parts.applicationHost ?? '',
    '    </system.applicationHost>',
    parts.webServer ? `    <system.webServer>\n${parts.webServer}\n    </system.webServer>` : '',
    parts.tail ?? '',
    '</configuration>',
    '',
  ].join('\n');
}
