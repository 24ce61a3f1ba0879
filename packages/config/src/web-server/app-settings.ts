// `<configuration><appSettings>` of a web.config (ASP.NET's section, outside system.webServer), which
// iisnode promotes to environment variables of the Node processes it starts. The files are read in
// order (a parent folder's first); `<add>` sets a key, `<remove>` and `<clear/>` drop them, as in .NET.
// A file that cannot be read or parsed contributes nothing here: the system.webServer reader reports
// it as the application's 500.19.

import { decodeConfigBytes, parseXmlDocument } from '../xml/xml-document.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import { readFileIfPresent, type ReadFile } from './read-web-config.js';

export function readAppSettings(files: string[], readFile: ReadFile = readFileIfPresent): Map<string, string> {
  const settings = new Map<string, string>();
  for (const file of files) {
    let bytes: Buffer | undefined;
    try {
      bytes = readFile(file);
    } catch {
      continue;
    }
    if (!bytes) continue;
    let document;
    try {
      document = parseXmlDocument(decodeConfigBytes(bytes).text, file);
    } catch {
      continue;
    }
    for (const section of childElements(document.root, 'appSettings')) {
      for (const entry of childElements(section)) {
        const key = findAttribute(entry, 'key')?.value;
        if (entry.name === 'clear') settings.clear();
        else if (entry.name === 'remove' && key !== undefined) settings.delete(key);
        else if (entry.name === 'add' && key !== undefined) settings.set(key, findAttribute(entry, 'value')?.value ?? '');
      }
    }
  }
  return settings;
}
