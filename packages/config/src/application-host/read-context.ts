// What every reader of applicationHost.config needs: the document, where problems go, and the path mapping.

import { mapPhysicalPath, type Environment, type EnvironmentNames } from '../paths/map-physical-path.js';
import type { Diagnostics } from '../validation/diagnostics.js';
import type { XmlDocument } from '../xml/xml-document.js';
import type { XmlElement } from '../xml/xml-node.js';
import { firstChildElement } from '../xml/xml-node.js';
import type { SourcePosition } from '../model.js';

export interface ReadContext {
  document: XmlDocument;
  diagnostics: Diagnostics;
  configDirectory: string;
  env: Environment;
  /** `env`, its names listed once for this reading (mapPath). */
  environmentNames: EnvironmentNames;
}

export function positionOf(context: ReadContext, element: XmlElement): SourcePosition {
  return context.diagnostics.position(element.start);
}

export function mapPath(context: ReadContext, raw: string): string {
  return mapPhysicalPath(raw, context.configDirectory, context.environmentNames);
}

/** `firstChildElement` that tolerates a missing parent (absent elements mean "all defaults"). */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element ? firstChildElement(element, name) : undefined;
}
