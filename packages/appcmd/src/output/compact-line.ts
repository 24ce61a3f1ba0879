// The default output: one line per object, `SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)`.
import type { AppcmdRecord } from './record.js';

export function compactLine(record: AppcmdRecord): string {
  const head = `${record.objectType} "${record.identifier}"`;
  return record.summary === undefined ? head : `${head} (${record.summary})`;
}
