// Reads one web.config from a content folder. Absent files are normal; malformed ones are a 500.19.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeConfigBytes, parseXmlDocument, XmlSyntaxError } from '../xml/xml-document.js';
import { readConfigFileSections } from './config-file-sections.js';
import { ConfigurationFaultError, malformedFault } from './configuration-fault.js';
import type { ConfigFileSections } from './model.js';

export type ReadFile = (file: string) => Buffer | undefined;

export const readFileIfPresent: ReadFile = (file) => {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
};

export function readWebConfig(folder: string, groups: string[], readFile: ReadFile = readFileIfPresent): ConfigFileSections | undefined {
  const file = join(folder, 'web.config');
  const bytes = readFile(file);
  if (!bytes) return undefined;
  return parseWebConfig(decodeConfigBytes(bytes).text, file, groups);
}

export function parseWebConfig(text: string, file: string, groups: string[] = []): ConfigFileSections {
  try {
    const document = parseXmlDocument(text, file);
    if (document.root.name !== 'configuration') {
      const position = { file, ...document.lines.position(document.root.start) };
      throw new ConfigurationFaultError(malformedFault(`Configuration file is not well-formed XML: the root element is <${document.root.name}>, not <configuration>`, position));
    }
    return readConfigFileSections(document, groups);
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new ConfigurationFaultError(malformedFault(`Configuration file is not well-formed XML: ${error.detail}`, { file, line: error.line, column: error.column }));
    }
    throw error;
  }
}
