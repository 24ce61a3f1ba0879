// Finds the system.webServer sections one config file declares: outside location tags, inside each
// <location path>, and the sections/groups its <configSections> registers.

import type { XmlDocument } from '../xml/xml-document.js';
import type { XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import type { AllowDefinition, ConfigFileSections, ConfigLocation, OverrideMode, RawElement, SectionDefinition } from './model.js';
import { malformedFault } from './configuration-fault.js';
import { toRawElement } from './raw-element.js';
import { BUILT_IN_SECTION_GROUPS } from './section-definitions.js';

const ALLOW_DEFINITIONS: AllowDefinition[] = ['MachineOnly', 'MachineToWebRoot', 'MachineToApplication', 'AppHostOnly', 'Everywhere'];

export function readConfigFileSections(document: XmlDocument, inheritedGroups: string[] = []): ConfigFileSections {
  const root = document.root;
  const sectionGroups: string[] = [];
  const sectionDefinitions: Record<string, SectionDefinition> = {};
  for (const configSections of childElements(root, 'configSections')) {
    readSectionRegistrations(configSections, '', sectionGroups, sectionDefinitions);
  }
  const groups = new Set([...BUILT_IN_SECTION_GROUPS, ...inheritedGroups, ...sectionGroups].map((group) => group.toLowerCase()));
  const sections: Record<string, RawElement> = {};
  const locations: ConfigLocation[] = [];
  for (const element of childElements(root)) {
    if (element.name === 'system.webServer') collectSections(element, 'system.webServer', groups, sections, document);
    if (element.name === 'location') locations.push(readLocation(element, groups, document));
  }
  return { file: document.file, sections, locations, sectionGroups, sectionDefinitions };
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

function collectSections(element: XmlElement, path: string, groups: Set<string>, out: Record<string, RawElement>, document: XmlDocument): void {
  for (const child of childElements(element)) {
    const childPath = `${path}/${child.name}`;
    if (groups.has(childPath.toLowerCase())) collectSections(child, childPath, groups, out, document);
    else out[childPath] = toRawElement(child, document.file, document.lines);
  }
}

function readLocation(element: XmlElement, groups: Set<string>, document: XmlDocument): ConfigLocation {
  const overrideModeText = findAttribute(element, 'overrideMode')?.value.toLowerCase();
  const allowOverrideText = findAttribute(element, 'allowOverride')?.value.toLowerCase();
  const position = { file: document.file, ...document.lines.position(element.start) };
  let overrideMode: OverrideMode = 'Inherit';
  if (overrideModeText === 'allow' || allowOverrideText === 'true') overrideMode = 'Allow';
  if (overrideModeText === 'deny' || allowOverrideText === 'false') overrideMode = 'Deny';
  const sections: Record<string, RawElement> = {};
  for (const child of childElements(element, 'system.webServer')) collectSections(child, 'system.webServer', groups, sections, document);
  return {
    path: findAttribute(element, 'path')?.value ?? '',
    overrideMode,
    inheritInChildApplications: findAttribute(element, 'inheritInChildApplications')?.value.toLowerCase() !== 'false',
    sections,
    position,
    // IIS refuses a location tag that says both (reference §5) when it applies: the two may disagree.
    ...(overrideModeText !== undefined && allowOverrideText !== undefined
      ? { fault: malformedFault("The 'allowOverride' and 'overrideMode' attributes cannot both be set on one location tag; keep overrideMode", position) }
      : {}),
  };
}
