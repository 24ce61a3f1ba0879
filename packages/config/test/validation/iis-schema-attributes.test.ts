// Every attribute IIS's own schema defines on an element poolhost checks is accepted there (honoured, or
// reported as not honoured), never refused as "Unrecognized attribute": a real IIS file must not become a
// 500.19 or stop poolhost from starting. The names are IIS 10's IIS_schema.xml (%windir%\system32\inetsrv\
// config\schema; the IIS 7.5–8.5 and IIS Express copies add none), HSTS from IIS 10 version 1709's
// configuration reference, iisnode's iisnode_schema.xml (tjanczuk/iisnode) and Azure/iisnode's addition.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ELEMENT_ATTRIBUTES } from '../../src/application-host/schema/element-attributes.js';
import { SECTION_ELEMENT_ATTRIBUTES } from '../../src/web-server/section-attributes.js';
import { classifyAttribute } from '../../src/validation/attribute-names.js';
import { getEffectiveWebServerConfig, loadApplicationHostConfig, parseApplicationHostConfig } from '../../src/index.js';
import { applicationHost, writeTree } from '../helpers/fixtures.js';

type Table = 'applicationHost' | 'webServer';

/** [table, key in ELEMENT_ATTRIBUTES / SECTION_ELEMENT_ATTRIBUTES, every attribute IIS's schema gives that element]. */
const IIS_SCHEMA: Array<[Table, string, string[]]> = [
  ['applicationHost', 'applicationPools', []],
  ['applicationHost', 'applicationPool', ['name', 'queueLength', 'autoStart', 'enable32BitAppOnWin64', 'managedRuntimeVersion', 'managedRuntimeLoader', 'enableConfigurationOverride', 'managedPipelineMode', 'CLRConfigFile', 'passAnonymousToken', 'startMode']],
  ['applicationHost', 'applicationPoolDefaults', ['name', 'queueLength', 'autoStart', 'enable32BitAppOnWin64', 'managedRuntimeVersion', 'managedRuntimeLoader', 'enableConfigurationOverride', 'managedPipelineMode', 'CLRConfigFile', 'passAnonymousToken', 'startMode']],
  ['applicationHost', 'processModel', ['identityType', 'userName', 'password', 'loadUserProfile', 'setProfileEnvironment', 'logonType', 'manualGroupMembership', 'idleTimeout', 'idleTimeoutAction', 'maxProcesses', 'shutdownTimeLimit', 'startupTimeLimit', 'pingingEnabled', 'pingInterval', 'pingResponseTime', 'logEventOnProcessModel']],
  ['applicationHost', 'recycling', ['disallowOverlappingRotation', 'disallowRotationOnConfigChange', 'logEventOnRecycle']],
  ['applicationHost', 'periodicRestart', ['memory', 'privateMemory', 'requests', 'time']],
  ['applicationHost', 'scheduleEntry', ['value']],
  ['applicationHost', 'failure', ['loadBalancerCapabilities', 'orphanWorkerProcess', 'orphanActionExe', 'orphanActionParams', 'rapidFailProtection', 'rapidFailProtectionInterval', 'rapidFailProtectionMaxCrashes', 'autoShutdownExe', 'autoShutdownParams']],
  ['applicationHost', 'cpu', ['limit', 'action', 'resetInterval', 'smpAffinitized', 'smpProcessorAffinityMask', 'smpProcessorAffinityMask2', 'processorGroup', 'numaNodeAssignment', 'numaNodeAffinityMode']],
  ['applicationHost', 'environmentVariable', ['name', 'value']],
  ['applicationHost', 'sites', []],
  ['applicationHost', 'site', ['name', 'id', 'serverAutoStart']],
  ['applicationHost', 'siteDefaults', ['name', 'id', 'serverAutoStart']],
  ['applicationHost', 'bindings', []],
  ['applicationHost', 'binding', ['protocol', 'bindingInformation', 'sslFlags']],
  ['applicationHost', 'limits', ['maxBandwidth', 'maxConnections', 'connectionTimeout', 'maxUrlSegments']],
  ['applicationHost', 'logFile', ['logExtFileFlags', 'customLogPluginClsid', 'logFormat', 'logTargetW3C', 'directory', 'period', 'truncateSize', 'localTimeRollover', 'enabled', 'logSiteId', 'flushByEntryCountW3CLog', 'maxLogLineLength']],
  ['applicationHost', 'traceFailedRequestsLogging', ['enabled', 'directory', 'maxLogFiles', 'maxLogFileSizeKB', 'customActionsEnabled']],
  ['applicationHost', 'application', ['path', 'applicationPool', 'enabledProtocols', 'serviceAutoStartEnabled', 'serviceAutoStartProvider', 'preloadEnabled']],
  ['applicationHost', 'applicationDefaults', ['path', 'applicationPool', 'enabledProtocols', 'serviceAutoStartEnabled', 'serviceAutoStartProvider', 'preloadEnabled']],
  ['applicationHost', 'virtualDirectory', ['path', 'physicalPath', 'userName', 'password', 'logonMethod', 'allowSubDirConfig']],
  ['applicationHost', 'virtualDirectoryDefaults', ['path', 'physicalPath', 'userName', 'password', 'logonMethod', 'allowSubDirConfig']],
  ['applicationHost', 'webLimits', ['maxGlobalBandwidth', 'connectionTimeout', 'demandStartThreshold', 'dynamicIdleThreshold', 'headerWaitTimeout', 'minBytesPerSecond', 'dynamicRegistrationThreshold']],
  ['applicationHost', 'listenerAdapters', []],
  ['applicationHost', 'listenerAdapter', ['name', 'identity', 'protocolManagerDll', 'protocolManagerDllInitFunction']],
  ['webServer', 'handlers', ['accessPolicy']],
  ['webServer', 'handlers/add', ['name', 'path', 'verb', 'type', 'modules', 'scriptProcessor', 'resourceType', 'requireAccess', 'allowPathInfo', 'preCondition', 'responseBufferLimit']],
  ['webServer', 'handlers/remove', ['name']],
  ['webServer', 'modules', ['runAllManagedModulesForAllRequests', 'runManagedModulesForWebDavRequests']],
  ['webServer', 'modules/add', ['name', 'type', 'preCondition']],
  ['webServer', 'modules/remove', ['name']],
  ['webServer', 'defaultDocument', ['enabled']],
  ['webServer', 'defaultDocument/files', []],
  ['webServer', 'defaultDocument/files/add', ['value']],
  ['webServer', 'defaultDocument/files/remove', ['value']],
  ['webServer', 'directoryBrowse', ['enabled', 'showFlags']],
  ['webServer', 'httpErrors', ['errorMode', 'existingResponse', 'defaultPath', 'defaultResponseMode', 'detailedMoreInformationLink', 'allowAbsolutePathsWhenDelegated']],
  ['webServer', 'httpErrors/error', ['statusCode', 'subStatusCode', 'prefixLanguageFilePath', 'path', 'responseMode']],
  ['webServer', 'httpErrors/remove', ['statusCode', 'subStatusCode']],
  ['webServer', 'security/requestFiltering', ['allowDoubleEscaping', 'allowHighBitCharacters', 'unescapeQueryString', 'removeServerHeader']],
  ['webServer', 'security/requestFiltering/fileExtensions', ['allowUnlisted', 'applyToWebDAV']],
  ['webServer', 'security/requestFiltering/fileExtensions/add', ['fileExtension', 'allowed']],
  ['webServer', 'security/requestFiltering/fileExtensions/remove', ['fileExtension']],
  ['webServer', 'security/requestFiltering/hiddenSegments', ['applyToWebDAV']],
  ['webServer', 'security/requestFiltering/hiddenSegments/add', ['segment']],
  ['webServer', 'security/requestFiltering/hiddenSegments/remove', ['segment']],
  ['webServer', 'security/requestFiltering/verbs', ['allowUnlisted', 'applyToWebDAV']],
  ['webServer', 'security/requestFiltering/verbs/add', ['verb', 'allowed']],
  ['webServer', 'security/requestFiltering/verbs/remove', ['verb']],
  ['webServer', 'security/requestFiltering/requestLimits', ['maxAllowedContentLength', 'maxUrl', 'maxQueryString']],
  ['webServer', 'security/requestFiltering/requestLimits/headerLimits', []],
  ['webServer', 'security/requestFiltering/requestLimits/headerLimits/add', ['header', 'sizeLimit']],
  ['webServer', 'security/requestFiltering/requestLimits/headerLimits/remove', ['header']],
  ['webServer', 'security/requestFiltering/denyUrlSequences/add', ['sequence']],
  ['webServer', 'security/requestFiltering/denyUrlSequences/remove', ['sequence']],
  ['webServer', 'security/requestFiltering/denyQueryStringSequences/add', ['sequence']],
  ['webServer', 'security/requestFiltering/denyQueryStringSequences/remove', ['sequence']],
  ['webServer', 'security/requestFiltering/alwaysAllowedUrls/add', ['url']],
  ['webServer', 'security/requestFiltering/alwaysAllowedUrls/remove', ['url']],
  ['webServer', 'security/requestFiltering/alwaysAllowedQueryStrings/add', ['queryString']],
  ['webServer', 'security/requestFiltering/alwaysAllowedQueryStrings/remove', ['queryString']],
  ['webServer', 'staticContent', ['defaultDocFooter', 'isDocFooterFileName', 'enableDocFooter']],
  ['webServer', 'staticContent/mimeMap', ['fileExtension', 'mimeType']],
  ['webServer', 'staticContent/remove', ['fileExtension']],
  ['webServer', 'staticContent/clientCache', ['cacheControlMode', 'cacheControlMaxAge', 'httpExpires', 'cacheControlCustom', 'setEtag']],
  ['webServer', 'httpLogging', ['selectiveLogging', 'dontLog']],
  ['webServer', 'caching', ['enabled', 'enableKernelCache', 'maxCacheSize', 'maxResponseSize']],
  ['webServer', 'caching/profiles', []],
  ['webServer', 'caching/profiles/add', ['extension', 'policy', 'kernelCachePolicy', 'duration', 'location', 'varyByHeaders', 'varyByQueryString']],
  ['webServer', 'caching/profiles/remove', ['extension']],
  ['webServer', 'serverRuntime', ['enabled', 'appConcurrentRequestLimit', 'maxRequestEntityAllowed', 'uploadReadAheadSize', 'alternateHostName', 'enableNagling', 'frequentHitThreshold', 'frequentHitTimePeriod', 'authenticatedUserOverride']],
  ['webServer', 'tracing/traceFailedRequests', []],
  ['webServer', 'tracing/traceFailedRequests/add', ['path', 'customActionExe', 'customActionParams', 'customActionTriggerLimit']],
  ['webServer', 'tracing/traceFailedRequests/remove', ['path']],
  ['webServer', 'tracing/traceFailedRequests/add/traceAreas', []],
  ['webServer', 'tracing/traceFailedRequests/add/traceAreas/add', ['provider', 'areas', 'verbosity']],
  ['webServer', 'tracing/traceFailedRequests/add/failureDefinitions', ['timeTaken', 'traceAllAfterTimeout', 'statusCodes', 'verbosity']],
  ['applicationHost', 'hsts', ['enabled', 'max-age', 'includeSubDomains', 'preload', 'redirectHttpToHttps']],
  ['webServer', 'iisnode', [
    'node_env', 'asyncCompletionThreadCount', 'nodeProcessCountPerApplication', 'nodeProcessCommandLine', 'interceptor',
    'maxConcurrentRequestsPerProcess', 'maxNamedPipeConnectionRetry', 'namedPipeConnectionRetryDelay', 'maxNamedPipeConnectionPoolSize',
    'maxNamedPipePooledConnectionAge', 'initialRequestBufferSize', 'maxRequestBufferSize', 'uncFileChangesPollingInterval',
    'gracefulShutdownTimeout', 'logDirectory', 'debuggingEnabled', 'debuggerExtensionDll', 'debugHeaderEnabled', 'debuggerVirtualDir',
    'debuggerPathSegment', 'debuggerPortRange', 'maxLogFileSizeInKB', 'maxTotalLogFileSizeInKB', 'maxLogFiles', 'loggingEnabled',
    'devErrorsEnabled', 'flushResponse', 'watchedFiles', 'enableXFF', 'promoteServerVars', 'configOverrides', 'recycleSignalEnabled',
    'idlePageOutTimePeriod',
    // Azure/iisnode (Azure App Service's iisnode).
    'nodeProcessStickySessions',
  ]],
];

/** poolhost's own elements: not in IIS's schema, so nothing of IIS's to accept. */
const POOLHOST_ONLY = new Set(['applicationHost/webManagement', 'applicationHost/httpSys', 'applicationHost/automaticCertificates']);

const namesOf = (table: Table, key: string) =>
  table === 'applicationHost' ? ELEMENT_ATTRIBUTES[key as keyof typeof ELEMENT_ATTRIBUTES] : SECTION_ELEMENT_ATTRIBUTES[key];

test("every attribute of IIS's schema on every element poolhost checks is honoured or reported, never refused", () => {
  const refused: string[] = [];
  for (const [table, key, attributes] of IIS_SCHEMA) {
    const names = namesOf(table, key);
    assert.ok(names, `${table}/${key} is checked by poolhost`);
    for (const attribute of attributes) if (classifyAttribute(names, attribute) === 'unrecognized') refused.push(`${names.element}@${attribute}`);
  }
  assert.deepEqual(refused, []);
});

test('every element poolhost checks has its IIS schema in this table (a newly checked element must be cross-checked)', () => {
  const covered = new Set(IIS_SCHEMA.map(([table, key]) => `${table}/${key}`));
  const checked = [
    ...Object.keys(ELEMENT_ATTRIBUTES).map((key) => `applicationHost/${key}`),
    ...Object.keys(SECTION_ELEMENT_ATTRIBUTES).map((key) => `webServer/${key}`),
  ];
  assert.deepEqual(checked.filter((key) => !covered.has(key) && !POOLHOST_ONLY.has(key)), []);
});

test('IIS attribute names stay case-sensitive: a real name in another case is still refused', () => {
  for (const [table, key, attributes] of IIS_SCHEMA) {
    const names = namesOf(table, key);
    for (const attribute of attributes) {
      const other = attribute === attribute.toUpperCase() ? attribute.toLowerCase() : attribute.toUpperCase();
      if (attributes.includes(other)) continue;
      assert.equal(classifyAttribute(names, other), 'unrecognized', `${names.element}@${other}`);
    }
  }
});

const IIS_SITE = [
  '            <site name="Default Web Site" id="1" serverAutoStart="true">',
  '                <application path="/" applicationPool="DefaultAppPool" preloadEnabled="false">',
  '                    <virtualDirectoryDefaults allowSubDirConfig="true" />',
  '                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" logonMethod="ClearText" />',
  '                </application>',
  '                <applicationDefaults enabledProtocols="http" />',
  '                <virtualDirectoryDefaults allowSubDirConfig="true" />',
  '                <bindings>',
  '                    <clear />',
  '                    <binding protocol="http" bindingInformation="*:80:" sslFlags="0" />',
  '                    <binding protocol="ftp" bindingInformation="*:21:" />',
  '                </bindings>',
  '                <limits maxUrlSegments="32" />',
  '                <logFile logSiteId="true" maxLogLineLength="65536">',
  '                    <customFields maxCustomFieldLength="4096"><clear /><add logFieldName="X-Forwarded-For" sourceName="X-Forwarded-For" sourceType="RequestHeader" /></customFields>',
  '                </logFile>',
  '                <traceFailedRequestsLogging maxLogFileSizeKB="1024" />',
  '                <hsts max-age="0" />',
  '                <ftpServer serverAutoStart="true">',
  '                    <security><ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" /><authentication><anonymousAuthentication enabled="true" /></authentication></security>',
  '                    <userIsolation mode="None" />',
  '                </ftpServer>',
  '            </site>',
  '            <siteDefaults serverAutoStart="true">',
  '                <logFile logFormat="W3C" />',
  '                <traceFailedRequestsLogging customActionsEnabled="false" />',
  '                <ftpServer><connections controlChannelTimeout="120" /></ftpServer>',
  '            </siteDefaults>',
  '            <applicationDefaults applicationPool="DefaultAppPool" />',
  '            <virtualDirectoryDefaults allowSubDirConfig="true" />',
].join('\n');

const IIS_POOLS = [
  '            <add name="DefaultAppPool" startMode="OnDemand" CLRConfigFile="">',
  '                <processModel pingingEnabled="true" manualGroupMembership="false" />',
  '                <recycling disallowRotationOnConfigChange="false">',
  '                    <periodicRestart privateMemory="0"><schedule><clear /><add value="03:00:00" /></schedule></periodicRestart>',
  '                </recycling>',
  '                <failure loadBalancerCapabilities="HttpLevel" orphanActionParams="" />',
  '                <cpu smpProcessorAffinityMask2="4294967295" numaNodeAffinityMode="Soft" />',
  '                <environmentVariables><add name="APP_ENV" value="test" /></environmentVariables>',
  '            </add>',
  '            <applicationPoolDefaults managedRuntimeLoader="webengine4.dll"><processModel setProfileEnvironment="true" /></applicationPoolDefaults>',
].join('\n');

test('an applicationHost.config with a real IIS attribute on every checked element, a site ftpServer, customFields and an ftp binding loads', () => {
  const config = parseApplicationHostConfig(
    applicationHost({
      pools: IIS_POOLS,
      sites: IIS_SITE,
      applicationHost: [
        '        <webLimits dynamicIdleThreshold="0" headerWaitTimeout="00:00:00" />',
        '        <listenerAdapters><add name="http" protocolManagerDllInitFunction="" /></listenerAdapters>',
        '        <log centralLogFileMode="Site"><centralW3CLogFile enabled="true" /></log>',
        '        <configHistory enabled="true" />',
      ].join('\n'),
    }),
    '/etc/poolhost/applicationHost.config',
    { env: {} },
  );
  const site = config.sites[0]!;
  assert.deepEqual(site.bindings.map((binding) => `${binding.protocol}/${binding.bindingInformation}`), ['http/*:80:', 'ftp/*:21:']);
  assert.equal(config.applicationPools[0]!.name, 'DefaultAppPool');
  // Every attribute is at IIS's default (asks for nothing); what poolhost cannot serve is reported, not dropped.
  assert.deepEqual(
    config.warnings!.map((warning) => `${warning.line}: ${warning.message}`),
    [
      '28: IIS <bindings> entry <binding protocol="ftp" bindingInformation="*:21:"> is not honoured by poolhost because poolhost has no FTP service (IIS\'s FTP server is ftpsvc, not W3SVC): nothing listens on the binding, and the site\'s <ftpServer> settings are not read',
      '32: IIS <logFile/customFields> entry <add logFieldName="X-Forwarded-For"> is not honoured by poolhost because the W3C log is written with the logExtFileFlags fields only; custom fields (request or response headers, server variables) are not logged',
    ],
  );
  for (const warning of config.warnings!) assert.equal(warning.code, 'POOLHOST_CONFIG_NOT_HONOURED');
});

const WEB_CONFIG = [
  '<?xml version="1.0"?>',
  '<configuration>',
  '  <system.webServer>',
  '    <handlers accessPolicy="Read, Script"><remove name="none" /><add name="txt" path="*.txt" verb="GET" modules="StaticFileModule" resourceType="File" requireAccess="Read" allowPathInfo="false" /></handlers>',
  '    <modules runAllManagedModulesForAllRequests="false"><remove name="none" /></modules>',
  '    <defaultDocument enabled="true"><files><remove value="none.htm" /><add value="home.htm" /></files></defaultDocument>',
  '    <directoryBrowse enabled="false" showFlags="Date, Time, Size, Extension" />',
  '    <httpErrors errorMode="DetailedLocalOnly" detailedMoreInformationLink="http://go.microsoft.com/fwlink/?LinkID=62293"><remove statusCode="404" subStatusCode="-1" /><error statusCode="404" prefixLanguageFilePath="" path="404.htm" responseMode="File" /></httpErrors>',
  '    <security>',
  '      <requestFiltering allowHighBitCharacters="true" unescapeQueryString="true">',
  '        <fileExtensions allowUnlisted="true" applyToWebDAV="true"><remove fileExtension=".none" /><add fileExtension=".secret" allowed="false" /></fileExtensions>',
  '        <hiddenSegments applyToWebDAV="true"><remove segment="none" /><add segment="private" /></hiddenSegments>',
  '        <verbs allowUnlisted="true" applyToWebDAV="true"><remove verb="NONE" /><add verb="TRACE" allowed="false" /></verbs>',
  '        <requestLimits maxQueryString="2048"><headerLimits><remove header="none" /><add header="Content-Type" sizeLimit="100" /></headerLimits></requestLimits>',
  '        <denyUrlSequences><remove sequence="none" /><add sequence=".." /></denyUrlSequences>',
  '        <denyQueryStringSequences><remove sequence="none" /><add sequence="&lt;script" /></denyQueryStringSequences>',
  '        <alwaysAllowedUrls><remove url="/none" /><add url="/ok" /></alwaysAllowedUrls>',
  '        <alwaysAllowedQueryStrings><remove queryString="none" /><add queryString="ok=1" /></alwaysAllowedQueryStrings>',
  '      </requestFiltering>',
  '    </security>',
  '    <staticContent enableDocFooter="false"><remove fileExtension=".none" /><mimeMap fileExtension=".none" mimeType="text/plain" /><clientCache cacheControlMode="NoControl" setEtag="true" /></staticContent>',
  '    <httpLogging selectiveLogging="LogAll" />',
  '    <serverRuntime frequentHitThreshold="2" enableNagling="false" />',
  '    <caching enableKernelCache="true"><profiles><remove extension=".none" /><add extension=".js" policy="DontCache" kernelCachePolicy="DontCache" location="Any" /></profiles></caching>',
  '    <tracing><traceFailedRequests><remove path="none" /><add path="*" customActionTriggerLimit="1"><traceAreas><add provider="WWW Server" areas="Rewrite" verbosity="Verbose" /></traceAreas><failureDefinitions statusCodes="500" traceAllAfterTimeout="false" /></add></traceFailedRequests></tracing>',
  '    <iisnode nodeProcessCountPerApplication="1" idlePageOutTimePeriod="0" nodeProcessStickySessions="false" />',
  '  </system.webServer>',
  '</configuration>',
  '',
].join('\n');

test('a web.config with a real IIS attribute on every checked system.webServer element gets no 500.19', () => {
  const root = writeTree({
    // handlers, modules, httpLogging and serverRuntime are locked by IIS's default (overrideModeDefault="Deny").
    'applicationHost.config': applicationHost({
      tail: '    <location path="" overrideMode="Allow"><system.webServer><handlers /><modules /><httpLogging /><serverRuntime /></system.webServer></location>',
    }),
    'inetpub/wwwroot/web.config': WEB_CONFIG,
  });
  const host = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  const result = getEffectiveWebServerConfig(host, 'Default Web Site', '/');
  assert.ok(result.ok, result.ok ? '' : `${result.fault.message} (${result.fault.line}:${result.fault.column})`);
  assert.deepEqual(result.warnings, []);
});
