// The effective system.webServer configuration for one (site, URL path), the way IIS computes it for
// MACHINE/WEBROOT/APPHOST/<site>/<path> (reference §4.6 step 6 and §5). Level by level, from
// APPHOST down to the URL:
//   1. applicationHost.config: the global sections (level APPHOST) and <location path> tags whose path
//      is exactly this level (`""`/`"."` = APPHOST, `Site`, `Site/app/dir`);
//   2. location tags of web.config files above this level that point at it;
//   3. the web.config in the level's physical folder, unless the request's pool sets
//      enableConfigurationOverride="false" or a virtual directory above sets allowSubDirConfig="false".
//      Each section it sets is first checked against locks (500.19, 0x80070021).

import type { ApplicationHostConfig, Site } from '../model.js';
import type { ConfigIssue } from '../validation/config-error.js';
import type { ConfigFileSections, ConfigLocation, ConfigurationFault, EffectiveWebServerConfig, OverrideMode, RawElement, WebServerConfig } from './model.js';
import { beyondApplicationFault, ConfigurationFaultError, duplicateEntryFault, lockedSectionFault, lockViolationFault, malformedFault } from './configuration-fault.js';
import { DuplicateCollectionEntry, LockViolation, mergeElement } from './merge-sections.js';
import { readFileIfPresent, readWebConfig, type ReadFile } from './read-web-config.js';
import { resolveUrl } from './resolve-url.js';
import { builtInSectionDefinition } from './section-definitions.js';
import { BASELINE_UNLOCKED_SECTIONS, baselineBeneath, baselineSections, isBaselineSection } from './baseline.js';
import { buildWebServerConfig, InvalidSectionValue } from './typed-sections.js';

export interface EffectiveConfigOptions {
  /** Reads a web.config; returns undefined when absent. Defaults to the file system. */
  readFile?: ReadFile;
  /** Merge poolhost's baseline (IIS's shipped system.webServer defaults) beneath APPHOST; default true. */
  baseline?: boolean;
  /** Shared by the calls made for one reading of applicationHost.config (see EffectiveConfigCache). */
  cache?: EffectiveConfigCache;
}

/**
 * For the many (site, path) of one applicationHost.config — a worker loading its pool's applications:
 * each web.config file is read and parsed once, and (site, path)s whose levels bring exactly the same
 * sections get the same WebServerConfig object, merged once. 1000 applications of one folder then
 * cost one configuration, not 1000 (docs/performance.md, 1000 applications). Files are read once per
 * cache: make a new cache for each reading of the configuration.
 */
export class EffectiveConfigCache {
  private readonly webConfigs = new Map<string, ConfigFileSections | undefined>();
  private readonly configs = new Map<string, WebServerConfig>();
  private readonly identities = new WeakMap<object, number>();
  private readonly warned = new WeakSet<ConfigFileSections>();
  private nextIdentity = 1;

  /** A file's not honoured settings the first time it is asked for them, then none: they are logged once. */
  warningsOf(file: ConfigFileSections): ConfigIssue[] {
    if (!file.warnings || this.warned.has(file)) return [];
    this.warned.add(file);
    return file.warnings;
  }

  readWebConfig(folder: string, groups: string[], readFile: ReadFile): ConfigFileSections | undefined {
    const key = `${folder}\u0000${groups.join('\u0000')}`;
    if (this.webConfigs.has(key)) return this.webConfigs.get(key);
    const sections = readWebConfig(folder, groups, readFile);
    // Every URL folder a client invents (`/a1/`, `/a2/` …) is a folder without a web.config: past a
    // bound, those are forgotten (read again when asked) so the cache stays bounded; files kept keep
    // their identity, so configurations merged from them stay the same objects.
    if (sections === undefined && this.webConfigs.size >= MAX_FOLDERS) {
      for (const [candidate, value] of this.webConfigs) if (value === undefined) this.webConfigs.delete(candidate);
    }
    this.webConfigs.set(key, sections);
    return sections;
  }

  /** The configuration merged from `sources`, in order: built once per distinct sequence of section records. */
  configFor(sources: Array<Record<string, RawElement>>, build: () => WebServerConfig): WebServerConfig {
    const key = sources.map((sections) => this.identityOf(sections)).join(',');
    let config = this.configs.get(key);
    if (!config) this.configs.set(key, (config = build()));
    return config;
  }

  private identityOf(sections: object): number {
    let identity = this.identities.get(sections);
    if (identity === undefined) this.identities.set(sections, (identity = this.nextIdentity++));
    return identity;
  }
}

const PREFIX = 'system.webServer/';
const MAX_FOLDERS = 4096;
const EMPTY_FILE: ConfigFileSections = { file: '', sections: {}, locations: [], sectionGroups: [], sectionDefinitions: {} };

interface Level {
  /** Config path below APPHOST: '' for APPHOST itself, `Site`, `Site/a/b`. */
  configPath: string;
  /** The folder whose web.config belongs to this level; undefined for APPHOST or when not read. */
  folder: string | undefined;
  /** The level is an application's root (allowDefinition="MachineToApplication" sections may be set here). */
  applicationRoot: boolean;
}

/** The levels of one URL, and the config path of the application the URL belongs to (inheritInChildApplications). */
interface UrlLevels {
  levels: Level[];
  applicationConfigPath: string;
}

interface LockSource {
  configPath: string;
  overrideMode: OverrideMode;
  sections: Record<string, RawElement>;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const isAtOrBelow = (ancestor: string, path: string): boolean =>
  ancestor === '' || same(ancestor, path) || path.toLowerCase().startsWith(`${ancestor.toLowerCase()}/`);

function locationPath(base: string, location: ConfigLocation): string {
  const path = location.path.replace(/^\/+|\/+$/g, '');
  if (path === '' || path === '.') return base;
  return base ? `${base}/${path}` : path;
}

export function getEffectiveWebServerConfig(
  host: ApplicationHostConfig,
  siteName: string,
  urlPath: string,
  options: EffectiveConfigOptions = {},
): EffectiveWebServerConfig {
  const site = host.sites.find((candidate) => same(candidate.name, siteName));
  if (!site) throw new Error(`site "${siteName}" is not declared in ${host.file}; declared sites: ${host.sites.map((s) => s.name).join(', ')}`);
  const files: string[] = [];
  const warnings: ConfigIssue[] = [];
  try {
    const { sources, unlocked, locatedBelow } = levelSources(host, site, urlPath, options, files, warnings);
    const build = (): WebServerConfig => buildWebServerConfig(mergeSources(sources, unlocked));
    return { ok: true, config: options.cache ? options.cache.configFor(sources, build) : build(), files, locatedBelow, warnings };
  } catch (error) {
    if (error instanceof ConfigurationFaultError) return { ok: false, fault: error.fault, files, warnings };
    if (error instanceof InvalidSectionValue) {
      const fault: ConfigurationFault = malformedFault(error.message, error.element.position);
      return { ok: false, fault, files, warnings };
    }
    throw error;
  }
}

const applicationConfigPath = (site: Site, applicationPath: string): string => [site.name, ...applicationPath.split('/').filter(Boolean)].join('/');

function levelsFor(host: ApplicationHostConfig, site: Site, urlPath: string): UrlLevels {
  const segments = urlPath.split(/[?#]/)[0]!.split('/').filter(Boolean);
  const request = resolveUrl(site, `/${segments.join('/')}`);
  const pool = request && host.applicationPools.find((candidate) => same(candidate.name, request.application.applicationPool));
  const overridesAllowed = pool ? pool.enableConfigurationOverride : true;
  const levels: Level[] = [{ configPath: '', folder: undefined, applicationRoot: false }];
  for (let depth = 0; depth <= segments.length; depth++) {
    const url = `/${segments.slice(0, depth).join('/')}`;
    const configPath = [site.name, ...segments.slice(0, depth)].join('/');
    const resolved = resolveUrl(site, url);
    let folder = overridesAllowed ? resolved?.physicalPath : undefined;
    // allowSubDirConfig="false": the virtual directory's own web.config counts, folders below it do not.
    if (resolved && !resolved.virtualDirectory.allowSubDirConfig && !same(resolved.virtualDirectoryUrl, url)) folder = undefined;
    levels.push({ configPath, folder, applicationRoot: resolved !== undefined && same(applicationConfigPath(site, resolved.application.path), configPath) });
  }
  return { levels, applicationConfigPath: request ? applicationConfigPath(site, request.application.path) : site.name };
}

/**
 * Merges section records, in order, into the sections of system.webServer (keyed relative to it).
 * Locks (lockAttributes, lockElements, lockItem …) bind every record after the first `unlocked` ones
 * (poolhost's baseline and applicationHost.config's global sections, which are one level to IIS).
 */
function mergeSources(sources: Array<Record<string, RawElement>>, unlocked: number): Record<string, RawElement> {
  const merged: Record<string, RawElement> = {};
  for (const [index, sections] of sources.entries()) {
    for (const [path, element] of Object.entries(sections)) {
      if (!path.startsWith(PREFIX)) continue;
      const relative = path.slice(PREFIX.length);
      const inherited = merged[relative];
      // A baseline section nothing above has set is already its own merge: taken as it is (isBaselineSection).
      if (inherited === undefined && isBaselineSection(element)) {
        merged[relative] = element;
        continue;
      }
      try {
        merged[relative] = mergeElement(inherited, element, relative, index >= unlocked);
      } catch (error) {
        if (error instanceof DuplicateCollectionEntry) throw new ConfigurationFaultError(duplicateEntryFault(error.message, path, error.element));
        if (error instanceof LockViolation) throw new ConfigurationFaultError(lockViolationFault(path, error.element, error.detail));
        throw error;
      }
    }
  }
  return merged;
}

/**
 * The section records that apply to (site, urlPath), level by level from APPHOST down, in merge order.
 * A fault found on the way (a locked section, a malformed web.config) is reported only after the
 * records above it have merged, so a fault at a higher level still wins, as when merging level by level.
 */
function levelSources(
  host: ApplicationHostConfig,
  site: Site,
  urlPath: string,
  options: EffectiveConfigOptions,
  files: string[],
  warnings: ConfigIssue[],
): { sources: Array<Record<string, RawElement>>; unlocked: number; locatedBelow: string[] } {
  const apphost = host.webServer ?? { ...EMPTY_FILE, file: host.file };
  const withBaseline = options.baseline ?? true;
  const readFile = options.readFile ?? readFileIfPresent;
  const cache = options.cache;
  const sources: Array<Record<string, RawElement>> = [];
  const apphostLocks: LockSource[] = apphost.locations.map((location) => ({ ...location, configPath: locationPath('', location) }));
  if (withBaseline) apphostLocks.unshift(...baselineLocks(apphost));
  const webConfigLocks: LockSource[] = [];
  const webConfigs: Array<{ configPath: string; sections: ConfigFileSections }> = [];
  const groups = apphost.sectionGroups;
  const { levels, applicationConfigPath: requestApplication } = levelsFor(host, site, urlPath);
  // inheritInChildApplications="false": the tag's sections reach its path and the folders of its own
  // application, not applications below it (reference §5).
  const reaches = (location: ConfigLocation, target: string): boolean =>
    location.inheritInChildApplications || same(target, requestApplication) || !isAtOrBelow(target, requestApplication);
  const apply = (location: ConfigLocation, target: string): void => {
    if (!reaches(location, target)) return;
    if (location.fault) throw new ConfigurationFaultError(location.fault);
    sources.push(location.sections);
  };
  const unlocked = withBaseline ? 2 : 1;

  try {
    for (const level of levels) {
      if (level.configPath === '') {
        if (withBaseline) sources.push(baselineFor(host, apphost));
        sources.push(apphost.sections);
        if (apphost.fault) throw new ConfigurationFaultError(apphost.fault);
      }
      for (const location of apphost.locations) {
        const target = locationPath('', location);
        if (same(target, level.configPath)) apply(location, target);
      }
      for (const parent of webConfigs) {
        for (const location of parent.sections.locations) {
          const target = locationPath(parent.configPath, location);
          if (!same(target, parent.configPath) && same(target, level.configPath)) apply(location, target);
        }
      }
      if (!level.folder) continue;
      const webConfig = cache ? cache.readWebConfig(level.folder, groups, readFile) : readWebConfig(level.folder, groups, readFile);
      if (!webConfig) continue;
      files.push(webConfig.file);
      warnings.push(...(cache ? cache.warningsOf(webConfig) : (webConfig.warnings ?? [])));
      // An unrecognized attribute in one of the file's sections (IIS checks the whole file against the schema).
      if (webConfig.fault) throw new ConfigurationFaultError(webConfig.fault);
      // A `<location path=".">` of the file replaces the file's own element for the same section.
      const here = webConfig.locations.filter((location) => same(locationPath(level.configPath, location), level.configPath) && reaches(location, level.configPath));
      for (const location of here) if (location.fault) throw new ConfigurationFaultError(location.fault);
      const own: Record<string, RawElement> = here.length ? Object.assign({ ...webConfig.sections }, ...here.map((location) => location.sections)) : webConfig.sections;
      for (const [path, element] of Object.entries(own)) {
        if (isLocked(path, level.configPath, apphost, apphostLocks, webConfigLocks)) throw new ConfigurationFaultError(lockedSectionFault(path, element));
        if (!level.applicationRoot && allowDefinitionOf(path, apphost) === 'MachineToApplication') throw new ConfigurationFaultError(beyondApplicationFault(path, element));
      }
      sources.push(own);
      webConfigs.push({ configPath: level.configPath, sections: webConfig });
      for (const location of webConfig.locations) webConfigLocks.push({ ...location, configPath: locationPath(level.configPath, location) });
    }
  } catch (error) {
    if (error instanceof ConfigurationFaultError) mergeSources(sources, unlocked);
    throw error;
  }
  const deepest = levels.at(-1)!.configPath;
  const targets = [
    ...apphost.locations.map((location) => locationPath('', location)),
    ...webConfigs.flatMap((parent) => parent.sections.locations.map((location) => locationPath(parent.configPath, location))),
  ];
  return { sources, unlocked, locatedBelow: childSegments(deepest, targets) };
}

/** The segments right below `configPath` that one of `targets` (location config paths) names or passes through. */
function childSegments(configPath: string, targets: string[]): string[] {
  const prefix = `${configPath.toLowerCase()}/`;
  const names = new Set<string>();
  for (const target of targets) {
    const lower = target.toLowerCase();
    if (!lower.startsWith(prefix)) continue;
    const rest = lower.slice(prefix.length);
    const slash = rest.indexOf('/');
    names.add(slash < 0 ? rest : rest.slice(0, slash));
  }
  return [...names];
}

function allowDefinitionOf(path: string, apphost: ConfigFileSections): string {
  return (apphost.sectionDefinitions[path] ?? builtInSectionDefinition(path)).allowDefinition;
}

/** Whether a web.config at `configPath` may set section `path` (reference §5: overrideModeDefault, location overrideMode / allowOverride). */
function isLocked(path: string, configPath: string, apphost: ConfigFileSections, apphostLocks: LockSource[], webConfigLocks: LockSource[]): boolean {
  const definition = apphost.sectionDefinitions[path] ?? builtInSectionDefinition(path);
  if (definition.allowDefinition === 'AppHostOnly' || definition.allowDefinition === 'MachineOnly' || definition.allowDefinition === 'MachineToWebRoot') return true;
  let mode: 'Allow' | 'Deny' = definition.overrideModeDefault;
  const applicable = (sources: LockSource[]): LockSource[] =>
    sources
      .filter((source) => source.overrideMode !== 'Inherit' && path in source.sections && isAtOrBelow(source.configPath, configPath))
      .sort((a, b) => a.configPath.length - b.configPath.length);
  for (const source of [...applicable(apphostLocks), ...applicable(webConfigLocks)]) mode = source.overrideMode === 'Deny' ? 'Deny' : 'Allow';
  return mode === 'Deny';
}

/** The baseline sections beneath what applicationHost.config declares at APPHOST (its own sections and `<location path="">`), once per configuration. */
const baselines = new WeakMap<ApplicationHostConfig, Record<string, RawElement>>();

function baselineFor(host: ApplicationHostConfig, apphost: ConfigFileSections): Record<string, RawElement> {
  let baseline = baselines.get(host);
  if (!baseline) baselines.set(host, (baseline = baselineBeneathApphost(apphost)));
  return baseline;
}

function baselineBeneathApphost(apphost: ConfigFileSections): Record<string, RawElement> {
  const declaredAtApphost = [apphost.sections, ...apphost.locations.filter((location) => locationPath('', location) === '').map((location) => location.sections)];
  const out: Record<string, RawElement> = {};
  for (const [path, element] of Object.entries(baselineSections())) {
    const declared = declaredAtApphost.map((sections) => sections[path]).filter((candidate): candidate is RawElement => candidate !== undefined);
    out[path] = declared.length ? baselineBeneath(element, declared, path.slice(PREFIX.length)) : element;
  }
  return out;
}

/** handlers/modules unlocked as IIS ships them, unless applicationHost.config registers the section itself. */
function baselineLocks(apphost: ConfigFileSections): LockSource[] {
  const sections = baselineSections();
  return BASELINE_UNLOCKED_SECTIONS.filter((path) => !apphost.sectionDefinitions[path]).map((path) => ({
    configPath: '',
    overrideMode: 'Allow' as const,
    sections: { [path]: sections[path]! },
  }));
}
