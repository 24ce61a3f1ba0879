// Reads a config file into the one XML tree (with offsets), checked well-formed as fast-xml-parser's
// validator checks it. The text keeps every byte of the file, so an unedited document saves identically.

import { isUtf8 } from 'node:buffer';
import { XMLValidator } from 'fast-xml-parser';
import { LineIndex } from './line-index.js';
import { scanXml, XmlScanError, type ScanResult } from './scan-xml.js';
import type { XmlElement, XmlNode } from './xml-node.js';

export type TextEncoding = 'utf8' | 'latin1' | 'utf16le';

export interface XmlDocument {
  file: string;
  text: string;
  encoding: TextEncoding;
  nodes: XmlNode[];
  root: XmlElement;
  lines: LineIndex;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

/** Decodes file bytes so that encoding the text again gives the same bytes. */
export function decodeConfigBytes(bytes: Buffer): { text: string; encoding: TextEncoding } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: bytes.toString('utf16le'), encoding: 'utf16le' };
  // Valid UTF-8 decodes and encodes back to the same bytes, and only valid UTF-8 does (the decoder puts
  // U+FFFD for the rest): checked natively, not by encoding the text again (100 MB: ≈30 ms, not ≈250).
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf8' };
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
}

const FORBIDDEN_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

export function parseXmlDocument(text: string, file: string, encoding: TextEncoding = 'utf8'): XmlDocument {
  const lines = new LineIndex(text);
  // XML 1.0 §2.2: control characters other than tab, CR and LF may not appear anywhere, not even
  // escaped; the validator below lets them through.
  const forbidden = FORBIDDEN_CHARACTER.exec(text);
  if (forbidden) {
    const at = lines.position(forbidden.index);
    const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new XmlSyntaxError(file, at.line, at.column, `character U+${code} is not allowed in XML`);
  }
  // One strict scan first: when it ends, the validator would have passed the text (scan-xml.ts), and the
  // tree is the one the plain scan makes — the file is read once, not twice (a worker's start reads its
  // pool's file here: docs/performance.md, "w3wp's configuration on its start path"). Otherwise, as
  // always: the validator judges and words any error, then the plain scan.
  let scanned: ScanResult | undefined;
  try {
    scanned = scanXml(text, 0, text.length, undefined, true);
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
  }
  if (!scanned) {
    const verdict = XMLValidator.validate(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (verdict !== true) {
      // The validator reports no column for some errors (an empty file): the start of the line then.
      throw new XmlSyntaxError(file, verdict.err.line || 1, verdict.err.col || 1, verdict.err.msg);
    }
  }
  try {
    const { nodes, root } = scanned ?? scanXml(text);
    if (!root) throw new XmlScanError('the file has no root element', 0);
    return { file, text, encoding, nodes, root, lines };
  } catch (error) {
    if (error instanceof XmlScanError) {
      const at = lines.position(error.offset);
      throw new XmlSyntaxError(file, at.line, at.column, error.message);
    }
    throw error;
  }
}
