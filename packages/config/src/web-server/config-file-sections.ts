// Finds the system.webServer sections one config file declares: outside location tags, inside each
// <location path>, and the sections/groups its <configSections> registers.

import type { XmlDocument } from '../xml/xml-document.js';
import type { XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import type { AllowDefinition, ConfigFileSections, ConfigLocation, OverrideMode, RawElement, SectionDefinition } from './model.js';
import { Diagnostics } from '../validation/diagnostics.js';
import { malformedFault } from './configuration-fault.js';
import { toRawElement } from './raw-element.js';
import { checkSectionAttributes, type UnrecognizedSectionAttribute } from './section-attributes.js';
import { BUILT_IN_SECTION_GROUPS } from './section-definitions.js';

const ALLOW_DEFINITIONS: AllowDefinition[] = ['MachineOnly', 'MachineToWebRoot', 'MachineToApplication', 'AppHostOnly', 'Everywhere'];

/**
 * `diagnostics` (applicationHost.config): unrecognized attributes of system.webServer sections refuse the
 * load and not honoured ones join the model's warnings. Without it (web.config), an unrecognized attribute
 * is the file's (or its location tag's) 500.19 and not honoured ones are the file's `warnings`.
 */
export function readConfigFileSections(document: XmlDocument, inheritedGroups: string[] = [], diagnostics?: Diagnostics): ConfigFileSections {
  const root = document.root;
  const checks = diagnostics ?? new Diagnostics(document);
  const sectionGroups: string[] = [];
  const sectionDefinitions: Record<string, SectionDefinition> = {};
  for (const configSections of childElements(root, 'configSections')) {
    readSectionRegistrations(configSections, '', sectionGroups, sectionDefinitions);
  }
  const groups = new Set([...BUILT_IN_SECTION_GROUPS, ...inheritedGroups, ...sectionGroups].map((group) => group.toLowerCase()));
  const sections: Record<string, RawElement> = {};
  const locations: ConfigLocation[] = [];
  let unrecognized: UnrecognizedSectionAttribute | undefined;
  for (const element of childElements(root)) {
    if (element.name === 'system.webServer') unrecognized = earlier(unrecognized, collectSections(element, 'system.webServer', groups, sections, document, checks));
    if (element.name === 'location') locations.push(readLocation(element, groups, document, checks));
  }
  const file: ConfigFileSections = { file: document.file, sections, locations, sectionGroups, sectionDefinitions };
  if (unrecognized) file.fault = unrecognizedFault(unrecognized, document);
  if (!diagnostics && checks.warnings.length) file.warnings = checks.warnings;
  return file;
}

function earlier(a: UnrecognizedSectionAttribute | undefined, b: UnrecognizedSectionAttribute | undefined): UnrecognizedSectionAttribute | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.attribute.start < a.attribute.start ? b : a;
}

/** IIS's 500.19 for an attribute outside the section's schema (0x8007000d, "Unrecognized attribute …"). */
function unrecognizedFault(found: UnrecognizedSectionAttribute, document: XmlDocument) {
  return malformedFault(found.message, { file: document.file, ...document.lines.position(found.attribute.start) });
}

function readSectionRegistrations(element: XmlElement, prefix: string, groups: string[], definitions: Record<string, SectionDefinition>): void {
  for (const child of childElements(element)) {
    const name = findAttribute(child, 'name')?.value;
    if (!name) continue;
    const path = prefix ? `${prefix}/${name}` : name;
    if (child.name === 'sectionGroup') {
      groups.push(path);
      readSectionRegistrations(child, path, groups, definitions);
    } else if (child.name === 'section') {
      const overrideModeDefault = findAttribute(child, 'overrideModeDefault')?.value.toLowerCase() === 'deny' ? 'Deny' : 'Allow';
      const allowDefinitionText = findAttribute(child, 'allowDefinition')?.value.toLowerCase();
      const allowDefinition = ALLOW_DEFINITIONS.find((candidate) => candidate.toLowerCase() === allowDefinitionText) ?? 'Everywhere';
      definitions[path] = { path, overrideModeDefault, allowDefinition };
    }
  }
}

/** Returns the first unrecognized attribute of the sections collected (file order). */
function collectSections(
  element: XmlElement,
  path: string,
  groups: Set<string>,
  out: Record<string, RawElement>,
  document: XmlDocument,
  diagnostics: Diagnostics,
): UnrecognizedSectionAttribute | undefined {
  let unrecognized: UnrecognizedSectionAttribute | undefined;
  for (const child of childElements(element)) {
    const childPath = `${path}/${child.name}`;
    if (groups.has(childPath.toLowerCase())) unrecognized = earlier(unrecognized, collectSections(child, childPath, groups, out, document, diagnostics));
    else {
      out[childPath] = toRawElement(child, document.file, document.lines);
      if (childPath.startsWith(WEB_SERVER)) unrecognized = earlier(unrecognized, checkSectionAttributes(childPath.slice(WEB_SERVER.length), child, diagnostics));
    }
  }
  return unrecognized;
}

const WEB_SERVER = 'system.webServer/';

function readLocation(element: XmlElement, groups: Set<string>, document: XmlDocument, diagnostics: Diagnostics): ConfigLocation {
  const overrideModeText = findAttribute(element, 'overrideMode')?.value.toLowerCase();
  const allowOverrideText = findAttribute(element, 'allowOverride')?.value.toLowerCase();
  const position = { file: document.file, ...document.lines.position(element.start) };
  let overrideMode: OverrideMode = 'Inherit';
  if (overrideModeText === 'allow' || allowOverrideText === 'true') overrideMode = 'Allow';
  if (overrideModeText === 'deny' || allowOverrideText === 'false') overrideMode = 'Deny';
  const sections: Record<string, RawElement> = {};
  let unrecognized: UnrecognizedSectionAttribute | undefined;
  for (const child of childElements(element, 'system.webServer')) unrecognized = earlier(unrecognized, collectSections(child, 'system.webServer', groups, sections, document, diagnostics));
  // IIS refuses a location tag that says both (reference §5) when it applies: the two may disagree.
  const fault =
    overrideModeText !== undefined && allowOverrideText !== undefined
      ? malformedFault("The 'allowOverride' and 'overrideMode' attributes cannot both be set on one location tag; keep overrideMode", position)
      : unrecognized && unrecognizedFault(unrecognized, document);
  return {
    path: findAttribute(element, 'path')?.value ?? '',
    overrideMode,
    inheritInChildApplications: findAttribute(element, 'inheritInChildApplications')?.value.toLowerCase() !== 'false',
    sections,
    position,
    ...(fault ? { fault } : {}),
  };
}
