// The dashboard in Debian's Chromium (playwright-core): each pool, site and worker PID on the page, a recycle
// clicked there gives a new PID on the page and in `appcmd list wp`; without the token the buttons are
// off and the API refuses. Set POOLHOST_SCREENSHOT=<file> to keep a screenshot (docs/observability.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot, startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { chromiumSkip, launchChromium } from '../support/chromium.js';

function appcmdListWp(runDirectory: string): string {
  const result = spawnSync(process.execPath, [join(repositoryRoot, 'packages', 'appcmd', 'dist', 'appcmd.js'), 'list', 'wp'], {
    env: { ...process.env, POOLHOST_RUN_DIR: runDirectory },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('the dashboard shows pools and worker PIDs; a recycle clicked there gives a new PID on the page and in appcmd list wp', { skip: chromiumSkip }, async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'FrontPool' }, { name: 'BackPool' }],
        sites: [
          {
            name: 'Shop',
            id: 3,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'FrontPool', physicalPath: '{{root}}/front' },
              { path: '/api', pool: 'BackPool', physicalPath: '{{root}}/back' },
            ],
          },
        ],
      }),
      files: { 'front/server.js': pidApp, 'back/server.js': pidApp },
      args: ['--metrics', `127.0.0.1:${metricsPort}`],
      waitForPort: port,
    },
    after,
  );
  await waitFor('inetmgr', async () => (await httpRequest({ port: metricsPort, path: '/' }).catch(() => null))?.status === 200, 20_000);
  const frontPid = (await httpRequest({ port, path: '/' })).text;
  const backPid = (await httpRequest({ port, path: '/api/x' })).text;
  const token = /administration token (\S+)/.exec(poolhost.stdoutText())![1]!;

  const browser = await launchChromium([], after);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());

  // Without the token: read-only, and the API refuses what a button would send.
  await page.goto(`http://127.0.0.1:${metricsPort}/`);
  await page.locator('#pools tr[data-pool="FrontPool"]').waitFor();
  await page.locator('#pools tr[data-pool="BackPool"]').waitFor();
  await page.locator(`#workers tr[data-pid="${frontPid}"]`).waitFor();
  await page.locator(`#workers tr[data-pid="${backPid}"]`).waitFor();
  assert.equal(await page.locator('#pools tr[data-pool="FrontPool"] td').nth(1).textContent(), 'Running');
  // The site with its URL group's counters: the two requests above, both GETs.
  await page.locator('#sites tr[data-site="Shop"]').waitFor();
  assert.equal(await page.locator('#sites tr[data-site="Shop"] td').nth(1).textContent(), 'Started');
  assert.equal(await page.locator('#sites tr[data-site="Shop"] td.all-requests').textContent(), '2');
  assert.equal(await page.locator('#sites tr[data-site="Shop"] td.get-requests').textContent(), '2');
  assert.equal(await page.locator('#pools tr[data-pool="FrontPool"] button[data-action="recycle-pool"]').isDisabled(), true);
  const refused = await page.evaluate(async () => (await fetch('/api/webserver/application-pools/FrontPool/recycle', { method: 'POST' })).status);
  assert.equal(refused, 401);

  // With the token from the address poolhost printed.
  await page.goto(`http://127.0.0.1:${metricsPort}/#token=${token}`);
  const recycleButton = page.locator('#pools tr[data-pool="FrontPool"] button[data-action="recycle-pool"]');
  await recycleButton.waitFor();
  await waitFor('the recycle button to be enabled', async () => !(await recycleButton.isDisabled()));
  await recycleButton.click();
  const actionResult = page.locator('#action-result[data-status]');
  await actionResult.waitFor();
  assert.equal(await actionResult.getAttribute('data-status'), '200', (await actionResult.textContent()) ?? '');
  let newPid = '';
  await waitFor('a new FrontPool worker on the page', async () => {
    const pids = await page.locator('#workers tr[data-pool="FrontPool"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pid') ?? ''));
    newPid = pids.find((pid) => pid !== frontPid) ?? '';
    return newPid !== '' && !pids.includes(frontPid);
  }, 20_000);
  const listed = appcmdListWp(poolhost.runDirectory);
  assert.match(listed, new RegExp(`^WP "${newPid}" \\(applicationPool:FrontPool\\)$`, 'm'));
  assert.doesNotMatch(listed, new RegExp(`"${frontPid}"`));
  assert.match(listed, new RegExp(`^WP "${backPid}" \\(applicationPool:BackPool\\)$`, 'm'), 'the other pool kept its worker');
  await page.locator('#events li', { hasText: '5079' }).first().waitFor();
  await page.locator('#flow .lane[data-pool="FrontPool"] .worker', { hasText: `w3wp ${newPid}` }).waitFor();

  const screenshot = process.env.POOLHOST_SCREENSHOT;
  if (screenshot) {
    await httpRequest({ port, path: '/api/slow?delay=3000', timeoutMs: 1 }).catch(() => undefined);
    await page.waitForTimeout(2_500);
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  assert.deepEqual(pageErrors, []);
});
