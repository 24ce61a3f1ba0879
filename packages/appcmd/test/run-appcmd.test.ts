import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlMessage } from '@poolhost/protocol';
import { runAppcmd } from '../src/run-appcmd.js';
import { Errors } from '../src/errors.js';
import type { RuntimeClient, ServiceName } from '../src/runtime/runtime-client.js';

const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <!-- kept -->
    <system.applicationHost>
        <applicationPools>
            <add name="DefaultAppPool" />
            <add name="Classic" managedPipelineMode="Classic" managedRuntimeVersion="v4.0" />
            <applicationPoolDefaults managedRuntimeVersion="">
                <processModel identityType="ApplicationPoolIdentity" />
            </applicationPoolDefaults>
        </applicationPools>
        <sites>
            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
                </application>
                <application path="/slow" applicationPool="Classic">
                    <virtualDirectory path="/" physicalPath="/srv/slow" />
                </application>
                <bindings>
                    <binding protocol="http" bindingInformation="*:8080:" />
                </bindings>
                <traceFailedRequestsLogging directory="{{root}}/FailedReqLogFiles" />
            </site>
            <applicationDefaults applicationPool="DefaultAppPool" />
        </sites>
    </system.applicationHost>
</configuration>
`;

/** A fake of the running services: answers from tables, records what was asked. */
function fakeRuntime(up: boolean): RuntimeClient & { sent: ControlMessage[] } {
  const sent: ControlMessage[] = [];
  const answer = (service: ServiceName, message: ControlMessage): ControlMessage | undefined => {
    if (!up) return undefined;
    sent.push(message);
    switch (message.type) {
      case 'ListApplicationPools':
        return { type: 'ApplicationPoolList', applicationPools: [
            { name: 'DefaultAppPool', state: 'Started', workers: 1, isolation: { cgroup: '/sys/fs/cgroup/memory/poolhost/0123456789ab-42/DefaultAppPool', cpuTimeMs: 2500, cpuUsedPercent: 19.5, memoryBytes: 52_428_800, tasks: 11, oomKills: 1, taskLimitHits: 0 } },
            { name: 'Classic', state: 'Stopped', workers: 0, isolation: { cgroup: '', cgroupUnavailable: 'memoryLimit (no cgroup hierarchy is mounted)', unenforced: ['memoryLimit'], oomKills: 0, taskLimitHits: 0 } },
          ],
        };
      case 'ListSites':
        return { type: 'SiteList', sites: [{ id: 1, name: 'Default Web Site', state: 'Started', applicationPools: ['DefaultAppPool'] }] };
      case 'ListWorkerProcesses':
        return { type: 'WorkerProcessList', workers: [{ pid: process.pid, applicationPool: 'DefaultAppPool', state: 'Running', startedAt: new Date(Date.now() - 65_000).toISOString(), requestsServed: 12, requestsInFlight: 1, role: 'standby', cgroup: '/sys/fs/cgroup/memory/poolhost/0123456789ab-42/DefaultAppPool' }] };
      case 'ListRequests':
        return {
          type: 'RequestList',
          requests: [
            { requestId: 'f000000080000004', siteId: 1, verb: 'GET', url: '/slow/loop?x=1', clientIp: '127.0.0.1', stage: 'ExecuteRequestHandler', module: 'NodeHandler', elapsedMs: 2840, pid: 4242, applicationPool: 'Classic' },
            { requestId: 'f000000080000005', siteId: 1, verb: 'GET', url: '/fast', clientIp: '127.0.0.1', stage: 'BeginRequest', module: 'RequestFilteringModule', elapsedMs: 3, pid: 4241, applicationPool: 'DefaultAppPool' },
          ],
        };
      case 'GetEventJournal':
        return { type: 'EventJournal', events: [], workerHistory: [{ pid: 4000, applicationPool: 'DefaultAppPool', startedAt: '2024-01-01T10:00:00.000Z', endedAt: '2024-01-01T10:05:00.000Z', reason: 'crash (exit code 3)' }] };
      default:
        void service;
        return { type: 'Acknowledged' };
    }
  };
  return {
    sent,
    async request<R extends ControlMessage>(service: ServiceName, message: ControlMessage): Promise<R> {
      const reply = answer(service, message);
      if (!reply) throw Errors.serviceUnavailable();
      return reply as R;
    },
    async tryRequest<R extends ControlMessage>(service: ServiceName, message: ControlMessage): Promise<R | undefined> {
      return answer(service, message) as R | undefined;
    },
  };
}

function setup(up = true) {
  const root = mkdtempSync(join(tmpdir(), 'appcmd-unit-'));
  const file = join(root, 'applicationHost.config');
  writeFileSync(file, CONFIG.replaceAll('{{root}}', root));
  const runtime = fakeRuntime(up);
  const run = async (words: string[], stdin = ''): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await runAppcmd(words, { env: {}, cwd: root, readStdin: async () => stdin, write: (text) => (out += text), runtime });
    return { code, out };
  };
  return { root, file, runtime, run };
}

test('list apppools and sites show runtime state; Unknown without a server', async () => {
  const { run } = setup();
  assert.deepEqual(await run(['list', 'apppools']), {
    code: 0,
    out: 'APPPOOL "DefaultAppPool" (MgdVersion:,MgdMode:Integrated,state:Started)\nAPPPOOL "Classic" (MgdVersion:v4.0,MgdMode:Classic,state:Stopped)\n',
  });
  assert.equal((await run(['list', 'apppools', '/state:started'])).out, 'APPPOOL "DefaultAppPool" (MgdVersion:,MgdMode:Integrated,state:Started)\n');
  assert.equal((await run(['list', 'site'])).out, 'SITE "Default Web Site" (id:1,bindings:http/*:8080:,state:Started)\n');
  const down = setup(false);
  assert.equal((await down.run(['list', 'sites'])).out, 'SITE "Default Web Site" (id:1,bindings:http/*:8080:,state:Unknown)\n');
});

test('start, stop and recycle ask was and answer in IIS words; wrong states are IIS errors', async () => {
  const { run, runtime } = setup();
  assert.deepEqual(await run(['stop', 'apppool', 'defaultapppool']), { code: 0, out: '"DefaultAppPool" successfully stopped.\n' });
  assert.deepEqual(await run(['start', 'apppool', '/apppool.name:Classic']), { code: 0, out: '"Classic" successfully started.\n' });
  assert.deepEqual(await run(['recycle', 'apppool', 'DefaultAppPool']), { code: 0, out: '"DefaultAppPool" successfully recycled\n' });
  assert.deepEqual(runtime.sent.filter((m) => m.type.endsWith('ApplicationPool')), [
    { type: 'StopApplicationPool', name: 'DefaultAppPool' },
    { type: 'StartApplicationPool', name: 'Classic' },
    { type: 'RecycleApplicationPool', name: 'DefaultAppPool' },
  ]);
  assert.equal((await run(['start', 'apppool', 'DefaultAppPool'])).out, 'ERROR ( hresult:80070420, message:Command execution failed.\nAn instance of the service is already running.\n )\n');
  assert.equal((await run(['stop', 'apppool', 'Classic'])).code, 1062 & 0xff);
  assert.deepEqual(await run(['stop', 'apppool', 'Nope']), { code: 144, out: 'ERROR ( message:Cannot find APPPOOL object with identifier "Nope". )\n' });
  assert.deepEqual(await run(['stop', 'apppool']), { code: 87, out: 'ERROR ( message:Must specify the APPPOOL object with identifier. )\n' });
  assert.deepEqual(await run(['stop', 'site', 'Default Web Site']), { code: 0, out: '"Default Web Site" successfully stopped.\n' });
});

test('runtime verbs without a server fail at once with hresult 800710d8', async () => {
  const { run } = setup(false);
  const expected = 'ERROR ( hresult:800710d8, message:Command execution failed.\nThe object identifier does not represent a valid object.\n )\n';
  for (const words of [['start', 'apppool', 'DefaultAppPool'], ['list', 'wp'], ['list', 'requests'], ['stop', 'site', 'Default Web Site']]) {
    assert.deepEqual(await run(words), { code: 216, out: expected }, words.join(' '));
  }
});

test('list wp, with /text:* adding CPU, memory, requests served, uptime and the role', async () => {
  const { run } = setup();
  assert.equal((await run(['list', 'wps', '/apppool.name:DefaultAppPool'])).out, `WP "${process.pid}" (applicationPool:DefaultAppPool)\n`);
  assert.equal((await run(['list', 'wps', '/apppool.name:Classic'])).out, '');
  const detail = (await run(['list', 'wp', '/text:*'])).out.split('\n');
  assert.equal(detail[0], 'WP');
  assert.equal(detail[1], `  WP.NAME: ${process.pid}`);
  assert.ok(detail.includes('  requestsServed: 12'));
  assert.ok(detail.includes('  role: standby'), 'the poolhost role follows the state');
  assert.ok(detail.some((line) => /^ {2}cpu: \d+\.\d%$/.test(line)));
  assert.ok(detail.some((line) => /^ {2}memory: \d+ KB$/.test(line)));
  assert.ok(detail.some((line) => /^ {2}uptime: 00:01:0[5-9]$/.test(line)));
  assert.ok(detail.includes('  cgroup: /sys/fs/cgroup/memory/poolhost/0123456789ab-42/DefaultAppPool'));
});

test('list apppool /text:* shows each pool\'s cgroup, its usage, and the limits this machine cannot enforce', async () => {
  const { run } = setup();
  const detail = (await run(['list', 'apppool', '/text:*'])).out.split('\n');
  const isolation = detail.indexOf('  [isolation]');
  assert.deepEqual(detail.slice(isolation, isolation + 9), [
    '  [isolation]',
    '    cgroup:"/sys/fs/cgroup/memory/poolhost/0123456789ab-42/DefaultAppPool"',
    '    cpuTime:"2.5 s"',
    '    cpuLastInterval:"19.5%"',
    '    memory:"51200 KB"',
    '    tasks:"11"',
    '    oomKills:"1"',
    '    taskLimitHits:"0"',
    'APPPOOL',
  ]);
  assert.ok(detail.includes('    cgroupUnavailable:"memoryLimit (no cgroup hierarchy is mounted)"'));
  assert.ok(detail.includes('    notEnforced:"memoryLimit"'));
});

test('list requests with /elapsed, and the /xml | /in pipe to apps, apppools and recycle', async () => {
  const { run, runtime } = setup();
  assert.equal(
    (await run(['list', 'requests', '/elapsed:1000'])).out,
    'REQUEST "f000000080000004" (url:GET /slow/loop?x=1, time:2840 msec, client:127.0.0.1, stage:ExecuteRequestHandler, module:NodeHandler)\n',
  );
  assert.equal((await run(['list', 'requests', '/url:/fast'])).out.split('\n')[0], 'REQUEST "f000000080000005" (url:GET /fast, time:3 msec, client:127.0.0.1, stage:BeginRequest, module:RequestFilteringModule)');
  const requests = (await run(['list', 'requests', '/elapsed:1000', '/xml'])).out;
  assert.match(requests, /<REQUEST REQUEST.NAME="f000000080000004" WP.NAME="4242" APPPOOL.NAME="Classic" SITE.ID="1" APP.NAME="Default Web Site\/slow"/);
  assert.equal((await run(['list', 'apps', '/in'], requests)).out, 'APP "Default Web Site/slow" (applicationPool:Classic)\n');
  const pools = (await run(['list', 'apppools', '/in', '/xml'], requests)).out;
  assert.match(pools, /<APPPOOL APPPOOL.NAME="Classic" PipelineMode="Classic" RuntimeVersion="v4.0" state="Stopped" \/>/);
  runtime.sent.length = 0;
  // Classic is Stopped in the fake, so recycling it is IIS's "not started" error; DefaultAppPool recycles.
  const defaultPool = (await run(['list', 'apppool', 'DefaultAppPool', '/xml'])).out;
  assert.deepEqual(await run(['recycle', 'apppools', '/in'], defaultPool), { code: 0, out: '"DefaultAppPool" successfully recycled\n' });
  assert.equal((await run(['recycle', 'apppools', '-'], pools)).code, 1062 & 0xff);
  assert.deepEqual(await run(['list', 'apps', '/in'], 'not xml'), { code: 13, out: 'ERROR ( hresult:8007000d, message:Command execution failed.\nThe data is invalid.\n )\n' });
});

test('list apppool /text:* includes the worker history from the event journal', async () => {
  const { run } = setup();
  const lines = (await run(['list', 'apppool', 'DefaultAppPool', '/text:*'])).out.split('\n');
  assert.deepEqual(lines.slice(0, 6), ['APPPOOL', '  APPPOOL.NAME: DefaultAppPool', '  PipelineMode: Integrated', '  RuntimeVersion: ', '  state: Started', '  [add]']);
  const history = lines.indexOf('  [workerProcessHistory]');
  assert.ok(history > 0);
  assert.deepEqual(lines.slice(history + 1, history + 6), ['    [workerProcess]', '      pid:"4000"', '      startTime:"2024-01-01T10:00:00.000Z"', '      endTime:"2024-01-01T10:05:00.000Z"', '      reason:"crash (exit code 3)"']);
});

test('help at three levels, unknown objects and verbs', async () => {
  const { run } = setup();
  assert.match((await run(['/?'])).out, /^General purpose IIS command line administration tool\./);
  assert.match((await run(['site', '/?'])).out, /list {6}List objects/);
  assert.match((await run(['list', 'apppool', '/?'])).out, /APPCMD LIST APPPOOL/);
  assert.deepEqual(await run(['list', 'foo']), { code: 87, out: "Object 'FOO' is not supported.  Run 'appcmd /?' to display supported objects.\n" });
  assert.deepEqual(await run(['recycle', 'site', 'x']), { code: 87, out: "Command 'RECYCLE' is not supported on object 'SITE'. Run 'appcmd SITE /?'\nto display supported commands.\n" });
});

test('edits keep every other byte of the file, comments included', async () => {
  const { run, file } = setup();
  const before = readFileSync(file, 'utf8');
  assert.deepEqual(await run(['set', 'apppool', 'Classic', '/queueLength:4000']), { code: 0, out: 'APPPOOL object "Classic" changed\n' });
  assert.equal(readFileSync(file, 'utf8'), before.replace('managedRuntimeVersion="v4.0" />', 'managedRuntimeVersion="v4.0" queueLength="4000" />'));
  assert.deepEqual(await run(['set', 'apppool', 'Classic', '/queueLength:5']), {
    code: 87,
    out: 'ERROR ( hresult:80070057, message:Command execution failed.\nInteger value must be between 10 and 65535 inclusive\n )\n',
  });
});

test('backups: add, list, restore, delete', async () => {
  const { run, file } = setup();
  const original = readFileSync(file, 'utf8');
  assert.deepEqual(await run(['add', 'backup', 'MyBackup']), { code: 0, out: 'BACKUP object "MyBackup" added\n' });
  assert.equal((await run(['add', 'backup', 'MyBackup'])).code, 183);
  assert.match((await run(['add', 'backup'])).out, /^BACKUP object "\d{8}T\d{6}" added\n$/);
  await run(['set', 'apppool', 'Classic', '/autoStart:false']);
  // As in IIS, a pool applications still name can be deleted (WAS then ignores those applications, 5048).
  assert.deepEqual(await run(['delete', 'apppool', 'Classic', '/apphostconfig:applicationHost.config']), { code: 0, out: 'APPPOOL object "Classic" deleted\n' });
  assert.notEqual(readFileSync(file, 'utf8'), original);
  assert.match((await run(['list', 'backups'])).out, /^BACKUP "\d{8}T\d{6}"\nBACKUP "MyBackup"\n$/);
  assert.deepEqual(await run(['restore', 'backup', 'mybackup']), { code: 0, out: 'Restored configuration from backup "MyBackup"\n' });
  assert.equal(readFileSync(file, 'utf8'), original);
  assert.deepEqual(await run(['delete', 'backup', 'MyBackup']), { code: 0, out: 'BACKUP object "MyBackup" deleted\n' });
  assert.equal((await run(['restore', 'backup', 'MyBackup'])).out, 'ERROR ( message:Cannot find BACKUP object with identifier "MyBackup". )\n');
});

test('traces: nothing without files; a FREB file is listed and inspected', async () => {
  const { run, root } = setup();
  assert.deepEqual(await run(['list', 'traces']), { code: 0, out: '' });
  mkdirSync(join(root, 'FailedReqLogFiles', 'W3SVC1'), { recursive: true });
  writeFileSync(
    join(root, 'FailedReqLogFiles', 'W3SVC1', 'fr000001.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<failedRequest url="http://localhost:8080/slow/loop" siteId="1" appPoolId="Classic" processId="4242" verb="GET" failureReason="STATUS_CODE" statusCode="500" triggerStatusCode="500" timeTaken="31" xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb">
 <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>0</EventID><TimeCreated SystemTime="2024-01-01T10:00:00.000Z"/></System><EventData><Data Name="RequestURL">/slow/loop</Data></EventData><RenderingInfo Culture="en-US"><Opcode>GENERAL_REQUEST_START</Opcode></RenderingInfo></Event>
</failedRequest>
`,
  );
  assert.equal((await run(['list', 'traces', '/site.name:Default Web Site'])).out, 'TRACE "Default Web Site/fr000001.xml" (url:http://localhost:8080/slow/loop,statuscode:500,wp:4242)\n');
  assert.match((await run(['list', 'trace', 'Default Web Site/fr000001.xml', '/text:*'])).out, /^TRACELOG\n {2}TRACE.NAME: Default Web Site\/fr000001.xml\n/);
  assert.equal((await run(['inspect', 'trace', 'Default Web Site/fr000001.xml'])).out, 'TRACEEVENT "Default Web Site/fr000001.xml#1" (GENERAL_REQUEST_START, time:2024-01-01T10:00:00.000Z)\n');
});
