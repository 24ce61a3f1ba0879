import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/validation/config-error.js';
import { parseApplicationHostConfig } from '../../src/application-host/load-application-host-config.js';
import { applicationPoolProtocols, enabledProtocolsProblem, listenerAdaptersToStart } from '../../src/application-host/listener-protocols.js';

const FILE = '/etc/poolhost/applicationHost.config';
const load = (text: string) => parseApplicationHostConfig(text, FILE, { env: {} });

function config(options: { adapters?: string; bindings: string; applications: string }): string {
  return `<configuration>
  <system.applicationHost>
    <applicationPools><add name="A" /><add name="B" /></applicationPools>
    <sites>
      <site name="S" id="1">
${options.applications}
        <bindings>
${options.bindings}
        </bindings>
      </site>
    </sites>${options.adapters ?? ''}
  </system.applicationHost>
</configuration>`;
}

const app = (path: string, pool: string, protocols?: string) =>
  `        <application path="${path}" applicationPool="${pool}"${protocols === undefined ? '' : ` enabledProtocols="${protocols}"`}><virtualDirectory path="/" physicalPath="/srv" /></application>`;

function issue(text: string): { code: string; line: number; column: number; message: string } {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues[0]!;
  }
  assert.fail('the configuration loaded');
}

test('enabledProtocols defaults to http; net.tcp bindings are parsed; the adapters to start follow the bindings', () => {
  const tcpOnly = load(config({ bindings: '<binding protocol="net.tcp" bindingInformation="808:*" />', applications: app('/', 'A', 'net.tcp') }));
  assert.deepEqual(tcpOnly.sites[0]!.bindings[0]!.port, 808);
  assert.deepEqual(listenerAdaptersToStart(tcpOnly), ['net.tcp']);
  assert.deepEqual(applicationPoolProtocols(tcpOnly, 'A'), ['net.tcp']);
  assert.deepEqual(applicationPoolProtocols(tcpOnly, 'B'), ['http'], 'a pool with no reachable application attaches to http, as before');

  const both = load(config({ bindings: '<binding protocol="http" bindingInformation="*:80:" /><binding protocol="net.tcp" bindingInformation="808:*" />', applications: app('/', 'A', 'http,net.tcp') + app('/b', 'B') }));
  assert.equal(both.sites[0]!.applications[1]!.enabledProtocols, 'http');
  assert.deepEqual(listenerAdaptersToStart(both), ['http', 'net.tcp']);
  assert.deepEqual(applicationPoolProtocols(both, 'A'), ['http', 'net.tcp']);
  assert.deepEqual(applicationPoolProtocols(both, 'B'), ['http']);

  const httpOnly = load(config({ bindings: '<binding protocol="http" bindingInformation="*:80:" />', applications: app('/', 'A') }));
  assert.deepEqual(listenerAdaptersToStart(httpOnly), ['http']);
});

test('a malformed net.tcp binding is refused at its line and column', () => {
  const found = issue(config({ bindings: '<binding protocol="net.tcp" bindingInformation="808" />', applications: app('/', 'A', 'net.tcp') }));
  assert.equal(found.code, 'POOLHOST_CONFIG_NET_TCP_BINDING_INVALID');
  assert.equal(found.line, 8);
});

test('two applications of one site enabling net.tcp are refused: a TCP connection carries no path', () => {
  const found = issue(config({ bindings: '<binding protocol="net.tcp" bindingInformation="808:*" />', applications: app('/', 'A', 'net.tcp') + '\n' + app('/b', 'B', 'http,net.tcp') }));
  assert.equal(found.code, 'POOLHOST_CONFIG_NET_TCP_APPLICATION_AMBIGUOUS');
  assert.equal(found.line, 7);
});

test('a net.tcp binding on a port an http binding of the same address uses is refused', () => {
  const found = issue(config({ bindings: '<binding protocol="http" bindingInformation="127.0.0.1:8080:" />\n<binding protocol="net.tcp" bindingInformation="8080:*" />', applications: app('/', 'A', 'http,net.tcp') }));
  assert.equal(found.code, 'POOLHOST_CONFIG_PORT_SHARED_ACROSS_PROTOCOLS');
});

test('a net.tcp binding needs net.tcp in listenerAdapters when the section is there', () => {
  const adapters = '\n    <listenerAdapters><add name="http" /></listenerAdapters>';
  const found = issue(config({ adapters, bindings: '<binding protocol="net.tcp" bindingInformation="808:*" />', applications: app('/', 'A', 'net.tcp') }));
  assert.equal(found.code, 'POOLHOST_CONFIG_LISTENER_ADAPTER_MISSING');
  assert.match(found.message, /net\.tcp listener adapter/);
  const listed = load(config({ adapters: '\n    <listenerAdapters><add name="http" /><add name="net.tcp" identity="S-1-5-80-3579033775-2824656752-1522793541-1960352512-462907086" /></listenerAdapters>', bindings: '<binding protocol="net.tcp" bindingInformation="808:*" />', applications: app('/', 'A', 'net.tcp') }));
  assert.deepEqual(listed.listenerAdapters?.map((adapter) => adapter.name), ['http', 'net.tcp']);
});

test('enabledProtocols must be a list of protocol names', () => {
  const found = issue(config({ bindings: '<binding protocol="http" bindingInformation="*:80:" />', applications: app('/', 'A', 'http,,net.tcp') }));
  assert.equal(found.code, 'POOLHOST_CONFIG_ENABLED_PROTOCOLS_INVALID');
});

test('two net.tcp bindings on one port at overlapping addresses are refused', () => {
  const text = config({ bindings: '<binding protocol="net.tcp" bindingInformation="808:*" />\n<binding protocol="net.tcp" bindingInformation="808:127.0.0.1" />', applications: app('/', 'A', 'net.tcp') });
  assert.equal(issue(text).code, 'POOLHOST_CONFIG_PORT_SHARED_ACROSS_PROTOCOLS');
});

test('an enabledProtocols entry is a protocol name in either case: a letter, then letters, digits, ".", "+" or "-"', () => {
  assert.equal(enabledProtocolsProblem('http,net.tcp'), null);
  assert.equal(enabledProtocolsProblem('HTTP, Net.Tcp ,x-proto+v2'), null);
  assert.equal(enabledProtocolsProblem('http,,net.tcp'), 'it has an empty entry');
  assert.equal(enabledProtocolsProblem('2http'), '"2http" is not a protocol name');
  assert.equal(enabledProtocolsProblem('ht_tp'), '"ht_tp" is not a protocol name');
  // Outside ASCII nothing folds into [A-Za-z] (the long s and the Kelvin sign are not s and k).
  assert.equal(enabledProtocolsProblem('\u017Fmtp'), '"\u017Fmtp" is not a protocol name');
  assert.equal(enabledProtocolsProblem('\u212Aerberos'), '"\u212Aerberos" is not a protocol name');
});
