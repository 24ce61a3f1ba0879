// Every system.applicationHost element poolhost reads refuses an attribute in neither poolhost's nor IIS's
// schema, with file:line:column, and reports (without refusing) the IIS attributes poolhost does not honour.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseApplicationHostConfig, type ApplicationHostConfig } from '../../../src/index.js';
import { applicationHost, applicationHostFixtures, fixture } from '../../helpers/fixtures.js';
import { loadApplicationHostConfig } from '../../../src/index.js';

const FILE = '/etc/poolhost/applicationHost.config';
const load = (text: string): ApplicationHostConfig => parseApplicationHostConfig(text, FILE, { env: {} });

function refusal(text: string): ConfigError {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('the configuration loaded');
}

/** Where `needle` starts in `text`, as line:column (1-based). */
function positionOf(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const site = (inside: string, siteAttributes = '') =>
  [
    `            <site name="Default Web Site" id="1"${siteAttributes}>`,
    '                <application path="/">',
    '                    <virtualDirectory path="/" physicalPath="/srv/www" />',
    '                </application>',
    '                <bindings>',
    '                    <binding protocol="http" bindingInformation="*:80:" />',
    '                </bindings>',
    inside,
    '            </site>',
  ].join('\n');

// [element as the message names it, the configuration with fooBar="1" on it]
const CASES: Array<[string, string]> = [
  ['applicationPools', applicationHost({}).replace('<applicationPools>', '<applicationPools fooBar="1">')],
  ['applicationPools/add', applicationHost({ pools: '<add name="DefaultAppPool" fooBar="1" />' })],
  ['applicationPoolDefaults', applicationHost({ pools: '<add name="DefaultAppPool" /><applicationPoolDefaults fooBar="1" />' })],
  ['processModel', applicationHost({ pools: '<add name="DefaultAppPool"><processModel idleTimeout="00:10:00" fooBar="1" /></add>' })],
  ['processModel', applicationHost({ pools: '<add name="DefaultAppPool" /><applicationPoolDefaults><processModel fooBar="1" /></applicationPoolDefaults>' })],
  ['recycling', applicationHost({ pools: '<add name="DefaultAppPool"><recycling fooBar="1" /></add>' })],
  ['periodicRestart', applicationHost({ pools: '<add name="DefaultAppPool"><recycling><periodicRestart fooBar="1" /></recycling></add>' })],
  ['schedule/add', applicationHost({ pools: '<add name="DefaultAppPool"><recycling><periodicRestart><schedule><add value="03:00:00" fooBar="1" /></schedule></periodicRestart></recycling></add>' })],
  ['failure', applicationHost({ pools: '<add name="DefaultAppPool"><failure fooBar="1" /></add>' })],
  ['cpu', applicationHost({ pools: '<add name="DefaultAppPool"><cpu fooBar="1" /></add>' })],
  ['environmentVariables/add', applicationHost({ pools: '<add name="DefaultAppPool"><environmentVariables><add name="A" value="1" fooBar="1" /></environmentVariables></add>' })],
  ['sites', applicationHost({}).replace('<sites>', '<sites fooBar="1">')],
  ['siteDefaults', applicationHost({ sites: `${site('')}\n<siteDefaults fooBar="1" />` })],
  ['limits', applicationHost({ sites: `${site('')}\n<siteDefaults><limits fooBar="1" /></siteDefaults>` })],
  ['site', applicationHost({ sites: site('', ' fooBar="1"') })],
  ['bindings', applicationHost({ sites: site('').replace('<bindings>', '<bindings fooBar="1">') })],
  ['binding', applicationHost({ sites: site('').replace('bindingInformation="*:80:"', 'bindingInformation="*:80:" fooBar="1"') })],
  ['limits', applicationHost({ sites: site('<limits maxConnections="10" fooBar="1" />') })],
  ['logFile', applicationHost({ sites: site('<logFile fooBar="1" />') })],
  ['traceFailedRequestsLogging', applicationHost({ sites: site('<traceFailedRequestsLogging fooBar="1" />') })],
  ['hsts', applicationHost({ sites: site('<hsts fooBar="1" />') })],
  ['application', applicationHost({ sites: site('').replace('<application path="/">', '<application path="/" fooBar="1">') })],
  ['applicationDefaults', applicationHost({ sites: site('<applicationDefaults fooBar="1" />') })],
  ['applicationDefaults', applicationHost({ sites: `${site('')}\n<applicationDefaults fooBar="1" />` })],
  ['virtualDirectory', applicationHost({ sites: site('').replace('physicalPath="/srv/www"', 'physicalPath="/srv/www" fooBar="1"') })],
  ['virtualDirectoryDefaults', applicationHost({ sites: `${site('')}\n<virtualDirectoryDefaults fooBar="1" />` })],
  ['webLimits', applicationHost({ applicationHost: '<webLimits fooBar="1" />' })],
  ['webManagement', applicationHost({ applicationHost: '<webManagement fooBar="1" />' })],
  ['listenerAdapters', applicationHost({ applicationHost: '<listenerAdapters fooBar="1"><add name="http" /></listenerAdapters>' })],
  ['listenerAdapters/add', applicationHost({ applicationHost: '<listenerAdapters><add name="http" fooBar="1" /></listenerAdapters>' })],
];

for (const [element, text] of CASES) {
  test(`fooBar on <${element}> is refused with IIS's "Unrecognized attribute", its position and the attributes <${element}> takes`, () => {
    const error = refusal(text);
    assert.equal(error.code, 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE');
    assert.equal(`${error.line}:${error.column}`, positionOf(text, 'fooBar="1"'));
    assert.equal(error.file, FILE);
    assert.match(error.message, new RegExp(`^/etc/poolhost/applicationHost\\.config:\\d+:\\d+: Unrecognized attribute 'fooBar' on <${element.replace('/', '\\/')}>\\. Note that attribute names are case-sensitive\\. Fix: remove it, or check its spelling; <`));
    assert.equal(error.issues.length, 1, 'reported once, even on a defaults element read for every pool or site');
  });
}

test('the hint lists the attributes the element takes: poolhost\'s and the IIS ones it does not honour', () => {
  const error = refusal(applicationHost({ pools: '<add name="DefaultAppPool"><processModel idletimeout="00:10:00" /></add>' }));
  assert.match(error.message, /Unrecognized attribute 'idletimeout' on <processModel>/);
  assert.match(error.hint, /idleTimeout/);
  assert.match(error.hint, /requestQueueDelegatorIdentity/);
});

test('lock attributes, configSource and xmlns declarations are accepted on any element', () => {
  const config = load(
    applicationHost({
      pools: '<add name="DefaultAppPool" lockAttributes="queueLength" lockItem="true" xmlns:x="urn:x"><processModel lockAllAttributesExcept="idleTimeout" /></add>',
      applicationHost: '<webLimits lockElements="*" lockAllElementsExcept="" configSource="" />',
    }),
  );
  assert.equal(config.applicationPools[0]!.name, 'DefaultAppPool');
  assert.deepEqual(config.warnings, []);
});

test('IIS attributes poolhost does not honour load and are reported as warnings with file:line:column and why', () => {
  const text = applicationHost({
    pools: [
      '<add name="DefaultAppPool" managedRuntimeVersion="v4.0" enable32BitAppOnWin64="true" managedPipelineMode="Classic">',
      '<processModel logonType="LogonService" loadUserProfile="true" />',
      '<failure orphanWorkerProcess="true" autoShutdownExe="C:\\x.exe" />',
      '<cpu processorGroup="1" numaNodeAssignment="WindowsScheduling" />',
      '</add>',
    ].join('\n'),
    sites: site('<logFile logFormat="NCSA" localTimeRollover="true" logTargetW3C="ETW" />').replace('physicalPath="/srv/www"', 'physicalPath="/srv/www" userName="CONTOSO\\alice"'),
    applicationHost: '<webLimits maxGlobalBandwidth="1048576" /><listenerAdapters><add name="http" identity="S-1-5-80-1" /></listenerAdapters>',
  });
  const config = load(text);
  assert.equal(config.applicationPools[0]!.managedPipelineMode, 'Classic', 'still read and shown, as IIS shows it');
  const warnings = config.warnings!;
  const named = warnings.map((warning) => warning.message.match(/^IIS setting (\S+)=/)![1]);
  assert.deepEqual(named, [
    'applicationPools/add@managedRuntimeVersion',
    'applicationPools/add@enable32BitAppOnWin64',
    'applicationPools/add@managedPipelineMode',
    'processModel@logonType',
    'processModel@loadUserProfile',
    'failure@orphanWorkerProcess',
    'failure@autoShutdownExe',
    'cpu@processorGroup',
    'cpu@numaNodeAssignment',
    'virtualDirectory@userName',
    'logFile@logFormat',
    'logFile@localTimeRollover',
    'logFile@logTargetW3C',
    'webLimits@maxGlobalBandwidth',
    'listenerAdapters/add@identity',
  ]);
  for (const warning of warnings) {
    assert.equal(warning.code, 'POOLHOST_CONFIG_NOT_HONOURED');
    assert.equal(warning.file, FILE);
    assert.match(warning.message, / is not honoured by poolhost because \S/);
  }
  const runtime = warnings[0]!;
  assert.equal(`${runtime.line}:${runtime.column}`, positionOf(text, 'managedRuntimeVersion="v4.0"'));
  assert.match(runtime.message, /IIS setting applicationPools\/add@managedRuntimeVersion="v4\.0" is not honoured by poolhost because poolhost loads no \.NET CLR/);
});

test('a not honoured attribute set to what IIS does by default asks for nothing and is not reported', () => {
  const config = load(
    applicationHost({
      pools: '<add name="DefaultAppPool" managedRuntimeVersion="" enable32BitAppOnWin64="false" managedPipelineMode="integrated"><processModel logonType="LogonBatch" /></add>',
      applicationHost: '<listenerAdapters><add name="http" identity="" /></listenerAdapters>',
    }),
  );
  assert.deepEqual(config.warnings, []);
});

test('every real applicationHost.config fixture still loads; what it asks for that poolhost does not honour is reported', () => {
  for (const name of applicationHostFixtures()) {
    const config = loadApplicationHostConfig(fixture(name), { env: {} });
    for (const warning of config.warnings ?? []) assert.equal(warning.code, 'POOLHOST_CONFIG_NOT_HONOURED', `${name}: ${warning.message}`);
  }
  const dorik = loadApplicationHostConfig(fixture('dorik84__Web-Server-IIS.config'), { env: {} });
  assert.ok(dorik.warnings!.some((warning) => /processModel@loadUserProfile="true"/.test(warning.message)));
});
