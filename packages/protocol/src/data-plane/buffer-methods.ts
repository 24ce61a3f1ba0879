// Node's Buffer has encoding-specific fast paths (`latin1Write`, `latin1Slice`, …) that skip the
// encoding switch of `write`/`toString`. They are long-standing but untyped in @types/node.
declare global {
  interface Buffer {
    latin1Write(text: string, offset?: number, length?: number): number;
    utf8Write(text: string, offset?: number, length?: number): number;
    latin1Slice(start?: number, end?: number): string;
    utf8Slice(start?: number, end?: number): string;
  }
}
export {};
