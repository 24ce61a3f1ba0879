// applicationHost.config → ApplicationHostConfig. Reads every section poolhost runs on, applies IIS's
// defaults, and validates once at the edge: any problem throws a ConfigError listing all of them with
// file:line:column, so the caller can keep its last known good configuration.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ApplicationHostConfig } from '../model.js';
import { EnvironmentNames, type Environment } from '../paths/map-physical-path.js';
import { ConfigError } from '../validation/config-error.js';
import { Diagnostics } from '../validation/diagnostics.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { decodeConfigBytes, parseXmlDocument, XmlSyntaxError, type XmlDocument } from '../xml/xml-document.js';
import { firstChildElement } from '../xml/xml-node.js';
import { readConfigFileSections } from '../web-server/config-file-sections.js';
import { readApplicationPools } from './application-pools.js';
import { child, type ReadContext } from './read-context.js';
import { readAutomaticCertificates, readHttpSys, readWebLimits, readWebManagement } from './server-elements.js';
import { checkListenerProtocols, readListenerAdapters } from './listener-protocols.js';
import { readSites } from './sites.js';

export interface LoadOptions {
  /** Environment for `%VAR%` expansion; defaults to process.env. */
  env?: Environment;
  /**
   * The folder relative physical paths and %SystemDrive% map to; defaults to the file's own. A pool's
   * configuration file (written by was beside the pool's temp folder) keeps applicationHost.config's.
   */
  configDirectory?: string;
}

/** Reads and validates applicationHost.config; throws ConfigError (all problems, first in the message). */
export function loadApplicationHostConfig(file: string, options: LoadOptions = {}): ApplicationHostConfig {
  const absolute = resolve(file);
  const { text, encoding } = decodeConfigBytes(readFileSync(absolute));
  return parseApplicationHostConfig(text, absolute, options, encoding);
}

/** Same as loadApplicationHostConfig for text already in memory; `file` names it in errors and anchors paths. */
export function parseApplicationHostConfig(
  text: string,
  file: string,
  options: LoadOptions = {},
  encoding: XmlDocument['encoding'] = 'utf8',
): ApplicationHostConfig {
  const absolute = resolve(file);
  return buildApplicationHostConfig(parseOrThrow(text, absolute, encoding), options);
}

export function parseOrThrow(text: string, file: string, encoding: XmlDocument['encoding'] = 'utf8'): XmlDocument {
  try {
    return parseXmlDocument(text, file, encoding);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    const definition = ConfigErrors.xmlMalformed;
    const issue = {
      code: definition.code,
      file,
      line: error.line,
      column: error.column,
      message: definition.message({ detail: error.detail }),
      hint: definition.hint({ detail: error.detail }),
    };
    throw new ConfigError([issue], { cause: error });
  }
}

/** Builds the model from an already parsed document (the same tree ConfigDocument edits). */
export function buildApplicationHostConfig(document: XmlDocument, options: LoadOptions = {}): ApplicationHostConfig {
  const diagnostics = new Diagnostics(document);
  const env = options.env ?? process.env;
  const context: ReadContext = { document, diagnostics, configDirectory: options.configDirectory ?? dirname(document.file), env, environmentNames: new EnvironmentNames(env) };
  if (document.root.name !== 'configuration') {
    diagnostics.report(ConfigErrors.rootNotConfiguration, { name: document.root.name }, document.root.start);
    throw new ConfigError(diagnostics.issues);
  }
  const applicationHost = firstChildElement(document.root, 'system.applicationHost');
  const pools = readApplicationPools(child(applicationHost, 'applicationPools'), context);
  const poolNames = new Map(pools.applicationPools.map((pool) => [pool.name.toLowerCase(), pool.name]));
  const sites = readSites(child(applicationHost, 'sites'), context, poolNames);
  const webLimits = readWebLimits(applicationHost, context);
  const httpSys = readHttpSys(applicationHost, context);
  const listenerAdapters = readListenerAdapters(applicationHost, context);
  checkListenerProtocols(sites, listenerAdapters, context);
  const webManagement = readWebManagement(applicationHost, context);
  const automaticCertificates = readAutomaticCertificates(applicationHost, sites, context);
  const webServer = readConfigFileSections(document, [], diagnostics);
  if (diagnostics.issues.length) {
    const ordered = [...diagnostics.issues].sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError(ordered);
  }
  return {
    file: document.file,
    applicationPoolDefaults: pools.applicationPoolDefaults,
    applicationPools: pools.applicationPools,
    spareWorkers: pools.spareWorkers,
    sites,
    webLimits,
    httpSys,
    ...(listenerAdapters ? { listenerAdapters } : {}),
    webManagement,
    ...(automaticCertificates ? { automaticCertificates } : {}),
    warnings: [...diagnostics.warnings].sort((a, b) => a.line - b.line || a.column - b.column),
    files: [document.file, ...webConfigFiles(sites.flatMap((site) => site.applications.flatMap((application) => application.virtualDirectories.map((vdir) => vdir.physicalPath))))],
    webServer,
  };
}

function webConfigFiles(folders: string[]): string[] {
  const found = new Set<string>();
  for (const folder of folders) {
    if (!folder) continue;
    const candidate = join(folder, 'web.config');
    if (existsSync(candidate)) found.add(candidate);
  }
  return [...found];
}
