// Which listener adapter serves which binding and application (iis-2.md §4). `https` bindings belong to
// the `http` adapter (W3SVC), as `http` in enabledProtocols covers https in IIS; `net.tcp` to the net.tcp
// adapter (NetTcpActivator). An application is reachable over a protocol only when its enabledProtocols
// lists it and its site has a binding of it. Also the `listenerAdapters` section and the checks a net.tcp
// binding needs beyond its own syntax.

import type { Application, Binding, ListenerAdapter, Site } from '../model.js';
import { checkAttributeNames } from '../validation/attribute-names.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { findAttribute, type XmlElement } from '../xml/xml-node.js';
import { collectionEntries } from './collection-entries.js';
import { child, type ReadContext } from './read-context.js';
import { bindingInformationOffset, enabledProtocolsOffset } from './sites.js';
import { ELEMENT_ATTRIBUTES } from './schema/element-attributes.js';

/** The listener adapters poolhost has an executable for. */
export const LISTENER_ADAPTER_PROTOCOLS = ['http', 'net.tcp'] as const;
export type ListenerProtocol = (typeof LISTENER_ADAPTER_PROTOCOLS)[number];

/** The adapter protocol a binding belongs to (https → http), or null when poolhost has no adapter for it (net.pipe …). */
export function listenerProtocolOf(bindingProtocol: string): ListenerProtocol | null {
  const lower = bindingProtocol.toLowerCase();
  if (lower === 'http' || lower === 'https') return 'http';
  if (lower === 'net.tcp') return 'net.tcp';
  return null;
}

/** enabledProtocols as a list of lower-cased names (`https` counted as `http`). */
export function enabledProtocolsOf(application: Pick<Application, 'enabledProtocols'>): string[] {
  return application.enabledProtocols
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
    .map((name) => (name === 'https' ? 'http' : name));
}

/** Whether connections of `protocol` reach this application of this site. */
export function applicationServesProtocol(site: Pick<Site, 'bindings'>, application: Pick<Application, 'enabledProtocols'>, protocol: ListenerProtocol): boolean {
  return enabledProtocolsOf(application).includes(protocol) && site.bindings.some((binding) => listenerProtocolOf(binding.protocol) === protocol);
}

/** Why an enabledProtocols value is malformed, or null. */
export function enabledProtocolsProblem(value: string): string | null {
  for (const name of value.split(',').map((part) => part.trim())) {
    if (name === '') return 'it has an empty entry';
    // Both cases spelt out rather than /i: the same names (without the u flag, /i folds nothing outside
    // ASCII into [a-z]), and a case-insensitive class costs ≈0.13 ms to compile the first time — in every
    // worker's start (docs/performance.md, "Demand start without a spare: the wall-clock path").
    if (!/^[A-Za-z][A-Za-z0-9.+-]*$/.test(name)) return `"${name}" is not a protocol name`;
  }
  return null;
}

/**
 * `system.applicationHost/listenerAdapters`. Absent: every adapter poolhost ships (http and net.tcp).
 * Present: exactly the adapters it lists may register with was.
 */
export function readListenerAdapters(applicationHost: XmlElement | undefined, context: ReadContext): ListenerAdapter[] | undefined {
  const section = child(applicationHost, 'listenerAdapters');
  if (!section) return undefined;
  const adapters: ListenerAdapter[] = [];
  checkAttributeNames(section, ELEMENT_ATTRIBUTES.listenerAdapters, context.diagnostics);
  for (const entry of collectionEntries([], section, 'name')) {
    checkAttributeNames(entry, ELEMENT_ATTRIBUTES.listenerAdapter, context.diagnostics);
    const name = findAttribute(entry, 'name')?.value.trim() ?? '';
    if (name === '') {
      context.diagnostics.report(ConfigErrors.missingAttribute, { element: 'add', attribute: 'name' }, entry.start);
      continue;
    }
    adapters.push({
      name: name.toLowerCase(),
      identity: findAttribute(entry, 'identity')?.value ?? '',
      protocolManagerDll: findAttribute(entry, 'protocolManagerDll')?.value ?? '',
      protocolManagerDllInitFunction: findAttribute(entry, 'protocolManagerDllInitFunction')?.value ?? '',
    });
  }
  return adapters;
}

/** The adapter names in force: the section's, else every adapter poolhost ships. */
export function listenerAdapterNames(config: { listenerAdapters?: ListenerAdapter[] }): string[] {
  return config.listenerAdapters ? config.listenerAdapters.map((adapter) => adapter.name) : [...LISTENER_ADAPTER_PROTOCOLS];
}

/**
 * What a net.tcp binding needs beyond its syntax: an adapter listed for every bound protocol poolhost
 * serves, one net.tcp application per site, and a port no other binding listens on at an overlapping address.
 */
export function checkListenerProtocols(sites: readonly Site[], adapters: ListenerAdapter[] | undefined, context: ReadContext): void {
  const d = context.diagnostics;
  const listed = new Set(listenerAdapterNames({ ...(adapters ? { listenerAdapters: adapters } : {}) }));
  const portOwners: Array<{ binding: Binding; site: string }> = [];
  for (const site of sites) {
    for (const binding of site.bindings) {
      const protocol = listenerProtocolOf(binding.protocol);
      if (protocol && !listed.has(protocol)) {
        d.report(ConfigErrors.listenerAdapterMissing, { value: `${binding.protocol}/${binding.bindingInformation}`, protocol }, bindingInformationOffset(binding));
      }
      if (!protocol || binding.port === 0) continue;
      const clash = portOwners.find((owner) => sharesNetTcpPort(owner.binding, binding));
      if (clash) {
        d.report(
          ConfigErrors.portSharedAcrossProtocols,
          { value: `${binding.protocol}/${binding.bindingInformation}`, site: site.name, other: `${clash.binding.protocol}/${clash.binding.bindingInformation}`, otherSite: clash.site, first: d.where(bindingInformationOffset(clash.binding)) },
          bindingInformationOffset(binding),
        );
      } else portOwners.push({ binding, site: site.name });
    }
    if (!site.bindings.some((binding) => binding.protocol === 'net.tcp')) continue;
    const netTcp = site.applications.filter((application) => enabledProtocolsOf(application).includes('net.tcp'));
    for (const application of netTcp.slice(1)) {
      d.report(ConfigErrors.netTcpApplicationsAmbiguous, { site: site.name, application: application.path, other: netTcp[0]!.path }, enabledProtocolsOffset(application));
    }
  }
}

function sameAddress(a: string, b: string): boolean {
  return a === '*' || b === '*' || a === b;
}

/**
 * Two bindings would listen on one port at overlapping addresses, and one is net.tcp: http bindings share
 * a port by host name, a net.tcp one cannot. The very same net.tcp binding twice is duplicateBinding's to report.
 */
function sharesNetTcpPort(a: Binding, b: Binding): boolean {
  if (a.port !== b.port || !sameAddress(a.ip, b.ip)) return false;
  if (a.protocol !== 'net.tcp' && b.protocol !== 'net.tcp') return false;
  return !(a.protocol === b.protocol && a.ip === b.ip);
}

/**
 * The listener protocols whose adapters a pool's workers attach to: those its applications are reachable
 * over. A pool none of whose applications is reachable (or with none) attaches to `http`, as every pool
 * did before other adapters existed.
 */
export function applicationPoolProtocols(config: { sites: readonly Site[] }, applicationPool: string, adapters: readonly ListenerProtocol[] = LISTENER_ADAPTER_PROTOCOLS): ListenerProtocol[] {
  const wanted = applicationPool.toLowerCase();
  const served = new Set<ListenerProtocol>();
  for (const site of config.sites) {
    for (const application of site.applications) {
      if (application.applicationPool.toLowerCase() !== wanted) continue;
      for (const protocol of adapters) if (applicationServesProtocol(site, application, protocol)) served.add(protocol);
    }
  }
  return served.size === 0 ? ['http'] : [...served];
}

/**
 * The listener adapters poolhost starts for a configuration: net.tcp when a site has a net.tcp binding;
 * http (httpsys and w3svc) unless the configuration binds net.tcp and nothing of http — WAS runs without
 * W3SVC then. Only adapters `<listenerAdapters>` lists (checkListenerProtocols refused bindings of others).
 */
export function listenerAdaptersToStart(config: { sites: readonly Site[]; listenerAdapters?: ListenerAdapter[] }): ListenerProtocol[] {
  const bound = new Set(config.sites.flatMap((site) => site.bindings.map((binding) => listenerProtocolOf(binding.protocol))));
  const listed = listenerAdapterNames(config);
  const adapters: ListenerProtocol[] = [];
  if (listed.includes('http') && (bound.has('http') || !bound.has('net.tcp'))) adapters.push('http');
  if (listed.includes('net.tcp') && bound.has('net.tcp')) adapters.push('net.tcp');
  return adapters;
}
