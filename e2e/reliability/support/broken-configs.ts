// Broken applicationHost.config files for the configuration robustness tests, with the checks on the
// position an error names.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { poolhostBin } from '../../support/poolhost-instance.js';
import { childExit } from '../../support/child-exit.js';
import { applicationHostConfig } from '../../support/config-builder.js';

export interface BrokenCase {
  name: string;
  /** The broken text, from the good one. */
  text: (good: string) => string;
  /** A string the reported line must contain (checked when given). */
  lineContains?: string;
}

export const HUGE_MB = 100;
const hugeComment = (megabytes: number): string => `<!-- ${'padding '.repeat((megabytes * 1024 * 1024) / 8)} -->\n`;

export const cases: BrokenCase[] = [
  { name: 'empty file', text: () => '' },
  { name: 'not XML at all', text: () => 'hello world\nthis is not a configuration\n' },
  { name: 'truncated in the middle of <sites>', text: (good) => good.slice(0, good.indexOf('<sites>') + 12) },
  { name: 'unterminated attribute value', text: (good) => good.replace('<add name="A"', '<add name="A'), lineContains: '<add name="A' },
  { name: 'mismatched end tag', text: (good) => good.replace('</applicationPools>', '</applicationPoolz>'), lineContains: '</applicationPoolz>' },
  { name: 'control bytes in the markup', text: (good) => good.replace('<applicationPools>', '<applicationPools>\x00\x01\x02'), lineContains: '<applicationPools>' },
  { name: 'a second root element', text: (good) => `${good}<configuration />\n`, lineContains: '<configuration />' },
  { name: 'queueLength not a number', text: (good) => good.replace('<add name="A"', '<add name="A" queueLength="lots"'), lineContains: 'queueLength="lots"' },
  { name: 'negative maxProcesses', text: (good) => good.replace('<add name="A">', '<add name="A">\n        <processModel maxProcesses="-3" />'), lineContains: 'maxProcesses="-3"' },
  { name: 'pingInterval not a time span', text: (good) => good.replace('<add name="A">', '<add name="A">\n        <processModel pingInterval="soon" />'), lineContains: 'pingInterval="soon"' },
  { name: 'autoStart not a boolean', text: (good) => good.replace('<add name="A"', '<add name="A" autoStart="maybe"'), lineContains: 'autoStart="maybe"' },
  { name: 'bindingInformation nonsense', text: (good) => good.replace(/bindingInformation="[^"]*"/, 'bindingInformation="nonsense"'), lineContains: 'bindingInformation="nonsense"' },
  { name: 'site id not a number', text: (good) => good.replace('id="1"', 'id="one"'), lineContains: 'id="one"' },
  {
    name: `${HUGE_MB} MB comment, then a bad attribute`,
    text: (good) => good.replace('<applicationPools>\n', `<applicationPools>\n${hugeComment(HUGE_MB)}`).replace('<add name="A"', '<add name="A" queueLength="lots"'),
    lineContains: 'queueLength="lots"',
  },
];

export function goodConfig(port: number): string {
  return applicationHostConfig({
    pools: [{ name: 'A', processModel: { idleTimeout: '00:20:00' } }],
    sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
  });
}

export function runPoolhostStart(configFile: string, runDirectory: string, timeoutMs: number): Promise<{ code: number | null; stderr: string; elapsedMs: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [poolhostBin, 'start', '--config', configFile, '--run-dir', runDirectory], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    void childExit(child).then(({ code }) => {
      clearTimeout(timer);
      resolve({ code, stderr, elapsedMs: Date.now() - started, timedOut });
    });
  });
}

/** `file:line:column: ` of a message (the file as given, or relative to the service's folder); asserts it is there. */
export function position(message: string, file: string): { line: number; column: number } {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const match = new RegExp(`(?:^|[ /])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `).exec(message);
  assert.ok(match, `file:line:column in: ${message.slice(0, 300)}`);
  return { line: Number(match[1]), column: Number(match[2]) };
}

export function checkPosition(brokenCase: BrokenCase, text: string, where: { line: number; column: number }): void {
  const lines = text.split('\n');
  assert.ok(where.line >= 1 && where.line <= Math.max(1, lines.length), `${brokenCase.name}: line ${where.line} of ${lines.length}`);
  if (brokenCase.lineContains) {
    const lineText = lines[where.line - 1] ?? '';
    assert.ok(lineText.includes(brokenCase.lineContains), `${brokenCase.name}: line ${where.line} (${lineText.slice(0, 120)}) should contain ${brokenCase.lineContains}`);
  }
}

