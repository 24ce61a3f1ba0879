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
  // U+FFFD for the rest): checked natively, not by encoding the text again (100 MB: ≈15 ms, not ≈350).
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
  const longComments: number[] = [];
  try {
    scanned = scanXml(text, 0, text.length, undefined, true, longComments);
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
  }
  if (!scanned) {
    const verdict = validateXml(text, longComments);
    if (verdict !== true) throw new XmlSyntaxError(file, verdict.line, verdict.column, verdict.message);
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

/**
 * fast-xml-parser's validator on `text` (after a byte order mark, as it reads it), with its error's line,
 * column and words. It reads a comment one character at a time (in was's lite mode, a 100 MB comment:
 * ≈5 s); the bodies of the long comments the strict scan read before it stopped are left out of the text
 * it gets, and its positions are carried back to the file's. The validator skips a comment's body to the
 * first `-->` wherever the scan found one (the scan checks, as it goes, all the validator refuses:
 * scan-xml.ts), so it judges the shorter text as it would the file; strict-scan.test.ts compares both.
 */
function validateXml(text: string, longComments: number[]): true | { line: number; column: number; message: string } {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const validated = bom ? text.slice(1) : text;
  let shortened = validated;
  /** Offsets in `shortened` where a body was left out, and how many characters were left out before each. */
  const cuts: number[] = [];
  const cutLengths: number[] = [];
  if (longComments.length > 0) {
    const pieces: string[] = [];
    let from = 0;
    let left = 0;
    for (let k = 0; k < longComments.length; k += 2) {
      const start = longComments[k]! - bom;
      const end = longComments[k + 1]! - bom;
      pieces.push(validated.slice(from, start));
      left += end - start;
      cuts.push(start - (left - (end - start)));
      cutLengths.push(left);
      from = end;
    }
    pieces.push(validated.slice(from));
    shortened = pieces.join('');
  }
  const verdict = XMLValidator.validate(shortened);
  if (verdict === true) return true;
  const { line, col, msg } = verdict.err;
  // The validator reports no column for some errors (an empty file): the start of the line then.
  if (!col || cuts.length === 0) return { line: line || 1, column: col || 1, message: msg };
  const shortenedLines = new LineIndex(shortened);
  const validatedLines = new LineIndex(validated);
  const inFile = (atLine: number, atColumn: number): { line: number; column: number } => {
    let offset = shortenedLines.offset(atLine, atColumn);
    let cut = cuts.length - 1;
    while (cut >= 0 && cuts[cut]! > offset) cut--;
    if (cut >= 0) offset += cutLengths[cut]!;
    return validatedLines.position(offset);
  };
  const at = inFile(line, col);
  // The one message with a position in it (names are XML names: no parentheses, no quotes).
  const message = msg.replace(/^(Expected closing tag '[^']*' \(opened in line )(\d+), col (\d+)\)/, (_whole, head: string, openLine: string, openColumn: string) => {
    const opened = inFile(Number(openLine), Number(openColumn));
    return `${head}${opened.line}, col ${opened.column})`;
  });
  return { line: at.line, column: at.column, message };
}
