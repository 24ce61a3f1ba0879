// The config verbs of appcmd against a temporary copy of a configuration; no server needed.
// Each documented command line of reference §9.4 that applies on Linux, with Linux paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appcmd } from './appcmd-process.js';

const ORIGINAL = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <!-- an administrator's comment that must survive every edit -->
    <system.applicationHost>
        <applicationPools>
            <add name="DefaultAppPool" />
            <add name="Contoso" />
            <applicationPoolDefaults managedRuntimeVersion="v4.0">
                <processModel identityType="ApplicationPoolIdentity" />
            </applicationPoolDefaults>
        </applicationPools>
        <sites>
            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
                </application>
                <bindings>
                    <binding protocol="http" bindingInformation="*:80:" />
                </bindings>
            </site>
            <applicationDefaults applicationPool="DefaultAppPool" />
        </sites>
    </system.applicationHost>
    <system.webServer>
        <!-- modules comment -->
        <directoryBrowse enabled="false" />
    </system.webServer>
</configuration>
`;

function instance() {
  const root = mkdtempSync(join(tmpdir(), 'appcmd-e2e-'));
  const file = join(root, 'applicationHost.config');
  writeFileSync(file, ORIGINAL);
  // No server: an empty run directory.
  const env = { POOLHOST_RUN_DIR: join(root, 'run') };
  const run = (...args: string[]) => appcmd([...args, `/apphostconfig:${file}`], { env });
  return { root, file, run, text: () => readFileSync(file, 'utf8') };
}

test('list sites, apps, vdirs and apppools in IIS compact form, with state Unknown when no server runs', async () => {
  const { run } = instance();
  assert.deepEqual(await run('list', 'sites').then((r) => [r.code, r.stdout]), [0, 'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Unknown)\n']);
  assert.equal((await run('list', 'site', 'Default Web Site')).stdout, 'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Unknown)\n');
  assert.equal((await run('list', 'apps')).stdout, 'APP "Default Web Site/" (applicationPool:DefaultAppPool)\n');
  assert.equal((await run('list', 'vdirs')).stdout, 'VDIR "Default Web Site/" (physicalPath:%SystemDrive%\\inetpub\\wwwroot)\n');
  assert.equal((await run('list', 'vdirs', '/text:physicalPath')).stdout, '%SystemDrive%\\inetpub\\wwwroot\n');
  assert.equal(
    (await run('list', 'apppools')).stdout,
    'APPPOOL "DefaultAppPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Unknown)\nAPPPOOL "Contoso" (MgdVersion:v4.0,MgdMode:Integrated,state:Unknown)\n',
  );
  assert.deepEqual(await run('list', 'sites', '/state:Stopped').then((r) => [r.code, r.stdout]), [0, '']);
  assert.deepEqual(await run('list', 'sites', '/serverAutoStart:true', '/id:$<2').then((r) => r.stdout.split('\n').length), 2);
});

test('documented add/set lines 5-13 build a site, an app, a vdir and a pool, and print IIS action lines', async () => {
  const { run, text } = instance();
  const lines: Array<[string[], string]> = [
    [['add', 'site', '/name:MySite', '/id:2', '/bindings:http/*:81:', '/physicalPath:/srv/inetpub/mysite'], 'SITE object "MySite" added\nAPP object "MySite/" added\nVDIR object "MySite/" added\n'],
    [['add', 'app', '/site.name:MySite', '/path:/app1', '/physicalPath:/srv/inetpub/mysite/app1'], 'APP object "MySite/app1" added\nVDIR object "MySite/app1/" added\n'],
    [['add', 'vdir', '/app.name:MySite/app1', '/path:/vdir1', '/physicalPath:/srv/inetpub/mysite/app1/vdir1'], 'VDIR object "MySite/app1/vdir1" added\n'],
    [['add', 'apppool', '/name:MyAppPool'], 'APPPOOL object "MyAppPool" added\n'],
    [['set', 'app', 'MySite/', '/applicationPool:MyAppPool'], 'APP object "MySite/" changed\n'],
    [['set', 'apppool', 'MyAppPool', '/managedRuntimeVersion:v1.1'], 'APPPOOL object "MyAppPool" changed\n'],
    [['set', 'apppool', 'MyAppPool', '/processModel.pingingEnabled:false'], 'APPPOOL object "MyAppPool" changed\n'],
  ];
  for (const [args, expected] of lines) {
    const result = await run(...args);
    assert.deepEqual([result.code, result.stdout], [0, expected], args.join(' '));
  }
  assert.equal((await run('list', 'apps')).stdout, 'APP "Default Web Site/" (applicationPool:DefaultAppPool)\nAPP "MySite/" (applicationPool:MyAppPool)\nAPP "MySite/app1" (applicationPool:DefaultAppPool)\n');
  assert.equal((await run('list', 'apppool', 'myapppool')).stdout, 'APPPOOL "MyAppPool" (MgdVersion:v1.1,MgdMode:Integrated,state:Unknown)\n');
  const after = text();
  assert.ok(after.includes('<!-- an administrator\'s comment that must survive every edit -->'));
  assert.ok(after.includes('            <add name="MyAppPool" managedRuntimeVersion="v1.1">\n                <processModel pingingEnabled="false" />\n            </add>\n            <applicationPoolDefaults'));
  assert.ok(after.includes('<site name="MySite" id="2">\n                <application path="/" applicationPool="MyAppPool">'));
  const detail = (await run('list', 'apppool', 'MyAppPool', '/text:*')).stdout;
  assert.match(detail, /^APPPOOL\n {2}APPPOOL.NAME: MyAppPool\n {2}PipelineMode: Integrated\n {2}RuntimeVersion: v1.1\n {2}state: Unknown\n {2}\[add\]\n {4}name:"MyAppPool"\n {4}queueLength:"1000"/);
  assert.match(detail, /\n {4}\[processModel\]\n {6}identityType:"ApplicationPoolIdentity"\n/);
  assert.match(detail, /\n {6}pingingEnabled:"false"\n/);
});

test('an edit changes only its own bytes', async () => {
  const { run, text } = instance();
  assert.equal((await run('set', 'apppool', 'Contoso', '/processModel.shutdownTimeLimit:00:00:30')).stdout, 'APPPOOL object "Contoso" changed\n');
  assert.equal(text(), ORIGINAL.replace('<add name="Contoso" />', '<add name="Contoso">\n                <processModel shutdownTimeLimit="00:00:30" />\n            </add>'));
  assert.equal((await run('set', 'config', '/section:directoryBrowse', '/enabled:true')).code, 0);
  assert.equal(text(), ORIGINAL.replace('<add name="Contoso" />', '<add name="Contoso">\n                <processModel shutdownTimeLimit="00:00:30" />\n            </add>').replace('<directoryBrowse enabled="false" />', '<directoryBrowse enabled="true" />'));
});

test('set config with collections (lines 24, 25, 31, 33, 34, 38)', async () => {
  const { run, text } = instance();
  const applied = (section: string, path = 'MACHINE/WEBROOT/APPHOST') => `Applied configuration changes to section "${section}" for "${path}" at configuration commit path "MACHINE/WEBROOT/APPHOST"\n`;
  assert.equal(
    (await run('set', 'config', '-section:system.applicationHost/applicationPools', "/+[name='Contoso'].recycling.periodicRestart.schedule.[value='03:00:00']", '/commit:apphost')).stdout,
    applied('system.applicationHost/applicationPools'),
  );
  assert.equal(
    (await run('set', 'config', '-section:system.applicationHost/applicationPools', "/[name='DefaultAppPool'].failure.rapidFailProtectionMaxCrashes:5", '/commit:apphost')).stdout,
    applied('system.applicationHost/applicationPools'),
  );
  assert.equal((await run('set', 'site', '/site.name:Default Web Site', "/+bindings.[protocol='http',bindingInformation='192.168.0.1:80:www.contoso.com']")).stdout, 'SITE object "Default Web Site" changed\n');
  assert.equal((await run('set', 'config', '/section:system.webServer/modules', "/+[name='MyModule',type='MyType']")).stdout, applied('system.webServer/modules'));
  assert.equal((await run('list', 'modules')).stdout, 'MODULE "MyModule" ( type:MyType, preCondition: )\n');
  assert.equal((await run('set', 'config', '/section:system.webServer/modules', "/-[name='MyModule']")).stdout, applied('system.webServer/modules'));
  assert.equal((await run('list', 'modules')).stdout, '');
  assert.equal(
    (await run('set', 'config', 'Default Web Site', '-section:system.webServer/handlers', "/+[name='PHP-FastCGI',path='*.php',verb='GET,HEAD,POST',modules='FastCgiModule',scriptProcessor='/usr/bin/php-cgi',resourceType='Either']")).stdout,
    applied('system.webServer/handlers', 'MACHINE/WEBROOT/APPHOST/Default Web Site'),
  );
  const after = text();
  assert.match(after, /<add name="Contoso">\n\s+<recycling>\n\s+<periodicRestart>\n\s+<schedule>\n\s+<add value="03:00:00" \/>/);
  assert.match(after, /<add name="DefaultAppPool">\n\s+<failure rapidFailProtectionMaxCrashes="5" \/>/);
  assert.match(after, /<binding protocol="http" bindingInformation="192.168.0.1:80:www.contoso.com" \/>/);
  assert.match(after, /<location path="Default Web Site">\n\s+<system.webServer>\n\s+<handlers>\n\s+<add name="PHP-FastCGI" path="\*.php"/);
  assert.ok(after.includes('<!-- modules comment -->'));
  assert.equal(
    (await run('set', 'config', '-section:system.applicationHost/applicationPools', "/+[name='Contoso'].recycling.periodicRestart.schedule.[value='03:00:00']")).stdout,
    "ERROR ( message:New add object missing required attributes. Cannot add duplicate collection entry of type 'add' with unique key attribute 'value' set to '03:00:00'\n. )\n",
  );
  assert.equal((await run('set', 'config', '/section:system.webServer/modules', "/-[name='Nope']")).stdout, 'ERROR ( message:Cannot find requested collection element. )\n');
});

test('list config, search config, lock and unlock config (lines 22, 27, 28)', async () => {
  const { run, text } = instance();
  assert.equal((await run('list', 'site', 'Default Web Site', '/config')).stdout.split('\n')[0], '<site name="Default Web Site" id="1">');
  assert.equal((await run('list', 'config', '/section:directoryBrowse')).stdout, '<system.webServer>\n  <directoryBrowse enabled="false" />\n</system.webServer>\n');
  assert.equal((await run('list', 'config', '/section:directoryBrowse', '/config:*')).stdout, '<system.webServer>\n  <directoryBrowse enabled="false" showFlags="Date, Time, Size, Extension" />\n</system.webServer>\n');
  await run('set', 'config', 'Default Web Site/', '/section:directoryBrowse', '/enabled:true', '/commit:apphost');
  assert.equal((await run('search', 'config', '/section:directoryBrowse', '/enabled:true')).stdout, 'CONFIGSEARCH "MACHINE/WEBROOT/APPHOST/Default Web Site"\n');
  assert.equal((await run('search', 'config', '/section:directoryBrowse')).stdout, 'CONFIGSEARCH "MACHINE/WEBROOT/APPHOST"\nCONFIGSEARCH "MACHINE/WEBROOT/APPHOST/Default Web Site"\n');
  assert.equal((await run('unlock', 'config', '/section:handlers')).stdout, 'Unlocked section "system.webServer/handlers" at configuration path "MACHINE/WEBROOT/APPHOST".\n');
  assert.match(text(), /<location path="" overrideMode="Allow">\n\s+<system.webServer>\n\s+<handlers \/>/);
  assert.equal((await run('lock', 'config', '/section:handlers')).stdout, 'Locked section "system.webServer/handlers" at configuration path "MACHINE/WEBROOT/APPHOST".\n');
  assert.match(text(), /<location path="" overrideMode="Deny">\n\s+<system.webServer>\n\s+<handlers \/>/);
  assert.equal((await run('clear', 'config', 'Default Web Site', '/section:directoryBrowse')).code, 0);
  assert.equal((await run('search', 'config', '/section:directoryBrowse', '/enabled:true')).stdout, '');
});

test('delete site (line 30), module add/set/delete, duplicates and bad values with exact messages and exit codes', async () => {
  const { run } = instance();
  await run('add', 'site', '/name:MyNewSite', '/bindings:http/*:82:');
  assert.deepEqual(await run('delete', 'site', 'MyNewSite').then((r) => [r.code, r.stdout]), [0, 'SITE object "MyNewSite" deleted\n']);
  assert.deepEqual(await run('delete', 'site', 'MyNewSite').then((r) => [r.code, r.stdout]), [144, 'ERROR ( message:Cannot find SITE object with identifier "MyNewSite". )\n']);
  assert.deepEqual(await run('add', 'apppool', '/name:Contoso').then((r) => [r.code, r.stdout]), [183, 'ERROR ( message:Failed to add duplicate collection element "Contoso". )\n']);
  assert.deepEqual(await run('add', 'apppool', '/name:Pool_Site1', '-processModel.userName:poolid1', '-processModel.identityType:SpecificUser').then((r) => [r.code, r.stdout]), [0, 'APPPOOL object "Pool_Site1" added\n']);
  assert.deepEqual(await run('set', 'apppool', 'Contoso', '/processModel.idleTimeout:00:00:30').then((r) => [r.code, r.stdout]), [
    87,
    'ERROR ( hresult:80070057, message:Command execution failed.\nTimespan value must be between 00:00:00 and 30.00:00:00 seconds inclusive, with a granularity of 60 seconds\n )\n',
  ]);
  assert.deepEqual(await run('set', 'apppool', 'Contoso', '/managedPipelineMode:Both').then((r) => [r.code, r.stdout]), [
    87,
    'ERROR ( hresult:80070057, message:Command execution failed.\nEnum must be one of Integrated, Classic\n )\n',
  ]);
  assert.deepEqual(await run('set', 'apppool', 'Contoso', '/noSuchThing:1').then((r) => [r.code, r.stdout]), [87, 'ERROR ( message:Unknown attribute "noSuchThing".  Replace with -? for help. )\n']);
  assert.deepEqual(await run('delete', 'app').then((r) => [r.code, r.stdout]), [87, 'ERROR ( message:Must use exact identifer for APP object with verb DELETE. )\n']);
  assert.equal((await run('add', 'module', '/name:FormsAuthentication', '/type:System.Web.Security.FormsAuthenticationModule', '/app.name:Default Web Site')).stdout, 'MODULE object "FormsAuthentication" added\n');
  assert.equal((await run('list', 'modules', '/app.name:Default Web Site')).stdout, 'MODULE "FormsAuthentication" ( type:System.Web.Security.FormsAuthenticationModule, preCondition: )\n');
  assert.equal((await run('add', 'module', '/name:FormsAuthentication', '/app.name:Default Web Site')).stdout, 'ERROR ( message:Failed to add duplicate collection element "FormsAuthentication". )\n');
  assert.equal((await run('set', 'module', 'FormsAuthentication', '/preCondition:managedHandler', '/app.name:Default Web Site')).stdout, 'MODULE object "FormsAuthentication" changed\n');
  assert.equal((await run('delete', 'module', 'FormsAuthentication', '/app.name:Default Web Site')).stdout, 'MODULE object "FormsAuthentication" deleted\n');
  assert.deepEqual(await run('list', 'foo').then((r) => [r.code, r.stdout]), [87, "Object 'FOO' is not supported.  Run 'appcmd /?' to display supported objects.\n"]);
});

test('backup add and restore (line 29) copy applicationHost.config into backup/<name>/ and back atomically', async () => {
  const { run, root, file, text } = instance();
  assert.equal((await run('add', 'backup', 'MyBackup')).stdout, 'BACKUP object "MyBackup" added\n');
  assert.ok(existsSync(join(root, 'backup', 'MyBackup', 'applicationHost.config')));
  await run('delete', 'site', 'Default Web Site');
  assert.equal((await run('list', 'sites')).stdout, '');
  assert.equal((await run('list', 'backups')).stdout, 'BACKUP "MyBackup"\n');
  assert.equal((await run('restore', 'backup', 'MyBackup')).stdout, 'Restored configuration from backup "MyBackup"\n');
  assert.equal(text(), ORIGINAL);
  assert.equal(readFileSync(file, 'utf8'), ORIGINAL);
});

test('POOLHOST_CONFIG chooses the file when /apphostconfig is not given; a missing file is a configuration error', async () => {
  const { file, root } = instance();
  const result = await appcmd(['list', 'apppools'], { env: { POOLHOST_CONFIG: file, POOLHOST_RUN_DIR: join(root, 'run') } });
  assert.equal(result.stdout.split('\n').length, 3);
  const missing = await appcmd(['list', 'sites'], { cwd: root, env: { POOLHOST_CONFIG: join(root, 'nope.config'), POOLHOST_RUN_DIR: join(root, 'run') } });
  assert.equal(missing.code, 13);
  assert.equal(missing.stdout, `ERROR ( hresult:8007000d, message:Command execution failed.\nConfiguration error\nFilename: ${join(root, 'nope.config')}\nError: Cannot read configuration file\n\n )\n`);
});
