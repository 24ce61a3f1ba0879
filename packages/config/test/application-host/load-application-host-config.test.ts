import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseApplicationHostConfig } from '../../src/application-host/load-application-host-config.js';
import { ConfigError, loadApplicationHostConfig } from '../../src/index.js';
import { applicationHost, writeTree } from '../helpers/fixtures.js';

const FILE = '/srv/iis/applicationHost.config';
const load = (text: string) => parseApplicationHostConfig(text, FILE, { env: {} });

test('a bare pool gets every IIS schema default', () => {
  const config = load(applicationHost({}));
  const pool = config.applicationPools[0]!;
  assert.equal(pool.name, 'DefaultAppPool');
  assert.equal(pool.queueLength, 1000);
  assert.equal(pool.autoStart, true);
  assert.equal(pool.managedPipelineMode, 'Integrated');
  assert.equal(pool.startMode, 'OnDemand');
  assert.equal(pool.enableConfigurationOverride, true);
  assert.equal(pool.managedRuntimeLoader, 'webengine4.dll');
  assert.deepEqual(pool.processModel, {
    identityType: 'ApplicationPoolIdentity',
    userName: '',
    password: '',
    loadUserProfile: false,
    setProfileEnvironment: true,
    logonType: 'LogonBatch',
    manualGroupMembership: false,
    idleTimeout: 1_200_000,
    idleTimeoutAction: 'Terminate',
    maxProcesses: 1,
    shutdownTimeLimit: 90_000,
    startupTimeLimit: 90_000,
    pingingEnabled: true,
    pingInterval: 30_000,
    pingResponseTime: 90_000,
    logEventOnProcessModel: ['IdleTimeout'],
  });
  assert.deepEqual(pool.recycling, {
    disallowOverlappingRotation: false,
    disallowRotationOnConfigChange: false,
    logEventOnRecycle: ['Time', 'Requests', 'Schedule', 'Memory', 'IsapiUnhealthy', 'OnDemand', 'ConfigChange', 'PrivateMemory'],
    periodicRestart: { time: 29 * 3600_000, requests: 0, memory: 0, privateMemory: 0, schedule: [] },
  });
  assert.deepEqual(pool.failure, {
    rapidFailProtection: true,
    rapidFailProtectionInterval: 300_000,
    rapidFailProtectionMaxCrashes: 5,
    loadBalancerCapabilities: 'HttpLevel',
    orphanWorkerProcess: false,
    orphanActionExe: '',
    orphanActionParams: '',
    autoShutdownExe: '',
    autoShutdownParams: '',
  });
  assert.deepEqual(pool.cpu, { limit: 0, action: 'NoAction', resetInterval: 300_000, smpAffinitized: false, smpProcessorAffinityMask: 4294967295, smpProcessorAffinityMask2: 4294967295 });
  assert.deepEqual(pool.environmentVariables, []);
  // Line 6: the helper writes the XML declaration, <configuration>, an empty configSections line, then the pools.
  assert.deepEqual(pool.position, { file: FILE, line: 6, column: 13 });
});

test('pool attribute → applicationPoolDefaults → schema default, for attributes and child elements', () => {
  const config = load(
    applicationHost({
      pools: [
        '            <add name="A" queueLength="2000">',
        '                <processModel maxProcesses="3" />',
        '                <recycling logEventOnRecycle="Schedule">',
        '                    <periodicRestart requests="100">',
        '                        <schedule><add value="04:00:00" /></schedule>',
        '                    </periodicRestart>',
        '                </recycling>',
        '                <environmentVariables><add name="B" value="2" /><remove name="SHARED" /></environmentVariables>',
        '            </add>',
        '            <add name="DefaultAppPool" />',
        '            <applicationPoolDefaults queueLength="4000" managedRuntimeVersion="v4.0" startMode="alwaysrunning">',
        '                <processModel idleTimeout="00:05:00" maxProcesses="2" />',
        '                <recycling><periodicRestart time="00:00:00"><schedule><add value="03:00:00" /></schedule></periodicRestart></recycling>',
        '                <failure rapidFailProtectionMaxCrashes="10" />',
        '                <environmentVariables><add name="SHARED" value="1" /></environmentVariables>',
        '            </applicationPoolDefaults>',
      ].join('\n'),
    }),
  );
  const [a, plain] = config.applicationPools;
  assert.equal(a!.queueLength, 2000);
  assert.equal(a!.managedRuntimeVersion, 'v4.0');
  assert.equal(a!.startMode, 'AlwaysRunning');
  assert.equal(a!.processModel.maxProcesses, 3);
  assert.equal(a!.processModel.idleTimeout, 300_000);
  assert.deepEqual(a!.recycling.logEventOnRecycle, ['Schedule']);
  assert.equal(a!.recycling.periodicRestart.requests, 100);
  assert.equal(a!.recycling.periodicRestart.time, 0);
  assert.deepEqual(a!.recycling.periodicRestart.schedule, [3 * 3600_000, 4 * 3600_000]);
  assert.equal(a!.failure.rapidFailProtectionMaxCrashes, 10);
  assert.deepEqual(a!.environmentVariables, [{ name: 'B', value: '2' }]);
  assert.equal(plain!.queueLength, 4000);
  assert.equal(plain!.processModel.maxProcesses, 2);
  assert.deepEqual(plain!.environmentVariables, [{ name: 'SHARED', value: '1' }]);
  assert.equal(config.applicationPoolDefaults.queueLength, 4000);
  assert.equal(config.applicationPoolDefaults.processModel.idleTimeout, 300_000);
});

test('site, application and virtual directory defaults: element → per-site defaults → global defaults → schema', () => {
  const config = load(
    applicationHost({
      pools: '<add name="DefaultAppPool" /><add name="SitePool" /><add name="AppPool" />',
      sites: [
        '<site name="One" id="1">',
        '  <applicationDefaults applicationPool="SitePool" preloadEnabled="true" />',
        '  <virtualDirectoryDefaults allowSubDirConfig="false" />',
        '  <application path="/"><virtualDirectory path="/" physicalPath="C:\\one" /></application>',
        '  <application path="/api" applicationPool="AppPool">',
        '    <virtualDirectoryDefaults logonMethod="Network" />',
        '    <virtualDirectory path="/" physicalPath="api" allowSubDirConfig="true" />',
        '  </application>',
        '  <bindings><binding protocol="http" bindingInformation="*:8080:One.Example" /></bindings>',
        '  <limits connectionTimeout="00:00:30" />',
        '</site>',
        '<site name="Two" id="2" serverAutoStart="false">',
        '  <application path="/"><virtualDirectory path="/" physicalPath="/var/www/two" /></application>',
        '  <logFile directory="D:\\logs" period="hourly" logExtFileFlags="Date,time" />',
        '</site>',
        '<siteDefaults serverAutoStart="true"><limits maxConnections="500" /><logFile truncateSize="2000000" />',
        '  <traceFailedRequestsLogging enabled="true" /></siteDefaults>',
        '<applicationDefaults applicationPool="DefaultAppPool" enabledProtocols="http,https" />',
        '<virtualDirectoryDefaults logonMethod="Batch" />',
      ].join('\n'),
    }),
  );
  const [one, two] = config.sites;
  assert.equal(one!.serverAutoStart, true);
  assert.equal(two!.serverAutoStart, false);
  assert.equal(one!.limits.connectionTimeout, 30_000);
  assert.equal(one!.limits.maxConnections, 500);
  assert.equal(one!.limits.maxUrlSegments, 32);
  assert.deepEqual(one!.bindings.map(({ position, ...b }) => b), [
    { protocol: 'http', bindingInformation: '*:8080:One.Example', ip: '*', port: 8080, host: 'one.example', sslFlags: 0 },
  ]);
  const [root, api] = one!.applications;
  assert.equal(root!.applicationPool, 'SitePool');
  assert.equal(root!.preloadEnabled, true);
  assert.equal(root!.enabledProtocols, 'http,https');
  assert.equal(api!.applicationPool, 'AppPool');
  assert.equal(root!.virtualDirectories[0]!.allowSubDirConfig, false);
  assert.equal(root!.virtualDirectories[0]!.logonMethod, 'Batch');
  assert.equal(root!.virtualDirectories[0]!.physicalPath, '/srv/iis/one');
  assert.equal(root!.virtualDirectories[0]!.physicalPathRaw, 'C:\\one');
  assert.equal(api!.virtualDirectories[0]!.allowSubDirConfig, true);
  assert.equal(api!.virtualDirectories[0]!.logonMethod, 'Network');
  assert.equal(api!.virtualDirectories[0]!.physicalPath, '/srv/iis/api');
  assert.equal(two!.applications[0]!.applicationPool, 'DefaultAppPool');
  assert.equal(two!.applications[0]!.virtualDirectories[0]!.logonMethod, 'Batch');
  assert.deepEqual(one!.logFile, {
    logFormat: 'W3C',
    directory: '/srv/iis/inetpub/logs/LogFiles',
    period: 'Daily',
    truncateSize: 2_000_000,
    localTimeRollover: false,
    enabled: true,
    logExtFileFlags: ['Date', 'Time', 'ClientIP', 'UserName', 'ServerIP', 'Method', 'UriStem', 'UriQuery', 'HttpStatus', 'Win32Status', 'TimeTaken', 'ServerPort', 'UserAgent', 'Referer', 'HttpSubStatus'],
    logSiteId: true,
  });
  assert.equal(two!.logFile.directory, '/srv/iis/logs');
  assert.equal(two!.logFile.period, 'Hourly');
  assert.deepEqual(two!.logFile.logExtFileFlags, ['Date', 'Time']);
  assert.deepEqual(one!.traceFailedRequestsLogging, { enabled: true, directory: '/srv/iis/inetpub/logs/FailedReqLogFiles', maxLogFiles: 50 });
});

test('webLimits and the httpSys extension get their defaults', () => {
  const config = load(applicationHost({}));
  assert.deepEqual(config.webLimits, {
    connectionTimeout: 120_000,
    headerWaitTimeout: 0,
    minBytesPerSecond: 240,
    maxGlobalBandwidth: 4294967295,
    demandStartThreshold: 2147483647,
    dynamicIdleThreshold: 0,
    dynamicRegistrationThreshold: 100,
  });
  assert.deepEqual(config.httpSys, {
    maxFieldLength: 16384,
    maxRequestBytes: 16384,
    urlSegmentMaxLength: 260,
    urlSegmentMaxCount: 255,
    enableErrorLogging: true,
    errorLoggingDir: '/srv/iis/inetpub/logs/LogFiles/HTTPERR',
    errorLogFileTruncateSize: 1048576,
    enableHttp2Tls: true,
    enableHttp2Cleartext: false,
    http2MaxConcurrentStreams: 100,
    http2MaxStreamResetsPerMinute: 1000,
    http2HeaderTableSize: 4096,
    uriEnableCache: true,
    uriMaxUriBytes: 262144,
    uriScavengerPeriod: 120,
  });
});

test('httpSys and webLimits values are read when written', () => {
  const config = load(
    applicationHost({
      applicationHost: '<webLimits headerWaitTimeout="00:00:10" minBytesPerSecond="500" />\n<httpSys maxFieldLength="8192" enableErrorLogging="False" errorLoggingDir="logs\\httperr" />',
    }),
  );
  assert.equal(config.webLimits.headerWaitTimeout, 10_000);
  assert.equal(config.webLimits.minBytesPerSecond, 500);
  assert.equal(config.httpSys.maxFieldLength, 8192);
  assert.equal(config.httpSys.enableErrorLogging, false);
  assert.equal(config.httpSys.errorLoggingDir, '/srv/iis/logs/httperr');
});

test('loadApplicationHostConfig reads from disk and lists web.config files found in content folders', () => {
  const root = writeTree({
    'applicationHost.config': applicationHost({}),
    'inetpub/wwwroot/web.config': '<configuration />',
  });
  const config = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  assert.equal(config.file, join(root, 'applicationHost.config'));
  assert.deepEqual(config.files, [join(root, 'applicationHost.config'), join(root, 'inetpub/wwwroot/web.config')]);
  assert.equal(config.sites[0]!.applications[0]!.virtualDirectories[0]!.physicalPath, join(root, 'inetpub/wwwroot'));
});

test('unknown elements are kept out of the way, never fatal; an unknown attribute of an element poolhost reads is refused', () => {
  const config = load(
    applicationHost({
      pools: '<add name="DefaultAppPool"><futureChild a="b" /></add>',
      applicationHost: '<customMetadata><key path="LM/W3SVC/INFO" /></customMetadata><somethingNew />',
    }),
  );
  assert.equal(config.applicationPools[0]!.name, 'DefaultAppPool');
  assert.throws(
    () => load(applicationHost({ pools: '<add name="DefaultAppPool" futureSetting="x" />' })),
    (error: Error) => /Unrecognized attribute 'futureSetting' on <applicationPools\/add>/.test(error.message),
  );
});

test('the model is plain JSON (it crosses process boundaries)', () => {
  const config = load(applicationHost({ webServer: '<defaultDocument><files><add value="index.html" /></files></defaultDocument>' }));
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  assert.ok(config.webServer?.sections['system.webServer/defaultDocument']);
});

test('<applicationPools spareWorkers> (poolhost extension) is 0 unless written, and kept within 0–16 with its position', () => {
  assert.equal(load(applicationHost({})).spareWorkers, 0);
  const withSpares = (value: string) => applicationHost({}).replace('<applicationPools>', `<applicationPools spareWorkers="${value}">`);
  assert.equal(load(withSpares('2')).spareWorkers, 2);
  assert.throws(() => load(withSpares('17')), (error: Error) => /spareWorkers/.test(error.message) && /applicationHost\.config:5:/.test(error.message));
});

test('a huge comment (8 MB on one line, or 100,000 lines) is read past: the file is accepted, or refused at the position of its problem', () => {
  const oneLine = `<!-- ${'padding '.repeat(1024 * 1024)} -->`;
  const manyLines = `<!--\n${'padding padding padding padding padding padding padding padding padding\n'.repeat(100_000)}-->`;
  /** 1-based line and column of the first `needle` in `text`, counted independently of the code under test. */
  const at = (text: string, needle: string): { line: number; column: number } => {
    const offset = text.indexOf(needle);
    assert.ok(offset >= 0, needle);
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before.at(-1)!.length + 1 };
  };
  const refusal = (text: string): { line: number; column: number; message: string } => {
    try {
      load(text);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return { line: error.line, column: error.column, message: error.issues[0]!.message };
    }
    assert.fail('accepted');
  };
  for (const comment of [oneLine, manyLines]) {
    const good = applicationHost({ pools: `${comment}\n            <add name="A" />` });
    assert.deepEqual(load(good).applicationPools.map((pool) => pool.name), ['A']);

    const badAttribute = applicationHost({ pools: `${comment}\n            <add name="A" queueLength="lots" />` });
    assert.deepEqual(refusal(badAttribute), { ...at(badAttribute, 'queueLength="lots"'), message: 'queueLength="lots" is not a whole number' });
    const sameLine = applicationHost({ pools: `${comment}<add name="A" queueLength="lots" />` });
    assert.deepEqual(refusal(sameLine), { ...at(sameLine, 'queueLength="lots"'), message: 'queueLength="lots" is not a whole number' });

    // Not well-formed after the comment: fast-xml-parser's validator words the error, as for any file.
    const mismatched = applicationHost({ pools: `${comment}\n            <add name="A" />` }).replace('</applicationPools>', '</applicationPoolz>');
    const opened = at(mismatched, '<applicationPools>');
    assert.deepEqual(refusal(mismatched), {
      ...at(mismatched, '</applicationPoolz>'),
      message: `the file is not well-formed XML: Expected closing tag 'applicationPools' (opened in line ${opened.line}, col ${opened.column}) instead of closing tag 'applicationPoolz'.`,
    });
    const unterminated = applicationHost({ pools: `${comment}<add name="A />` });
    assert.deepEqual(refusal(unterminated), { ...at(unterminated, ' name="A />'), message: "the file is not well-formed XML: Attributes for 'add' have open quote." });
    const control = applicationHost({ pools: `${comment}\n            <add name="A" />\x01` });
    assert.deepEqual(refusal(control), { ...at(control, '\x01'), message: 'the file is not well-formed XML: character U+0001 is not allowed in XML' });
  }
});
