// Offset → 1-based line and column, computed on demand so edits never leave stale positions behind.
// Line starts are found with indexOf('\n') (native), and only up to the furthest offset asked for: was
// runs in V8's lite mode (no JIT, service-node-flags.ts), where a charCodeAt loop over a 100 MB file took
// 3.8 s of a refusal whose one position was on line 6 (docs/performance.md, "A 100 MB applicationHost.config").

export class LineIndex {
  private readonly lineStarts: number[] = [0];
  /** Every line feed before this offset is in lineStarts. */
  private searchedTo = 0;

  constructor(private readonly text: string) {}

  position(offset: number): { line: number; column: number } {
    if (offset >= this.searchedTo) this.findLineStarts(offset);
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  /** The offset of a 1-based line and column (the line's start when there is no such line). */
  offset(line: number, column: number): number {
    while (this.lineStarts.length < line && this.searchedTo !== Infinity) this.findLineStarts(this.searchedTo);
    return (this.lineStarts[Math.min(line, this.lineStarts.length) - 1] ?? 0) + column - 1;
  }

  /** Records line starts up to the first line feed at or after `offset` (or the end of the text). */
  private findLineStarts(offset: number): void {
    while (this.searchedTo <= offset) {
      const lineFeed = this.text.indexOf('\n', this.searchedTo);
      if (lineFeed < 0) {
        this.searchedTo = Infinity;
        return;
      }
      this.lineStarts.push(lineFeed + 1);
      this.searchedTo = lineFeed + 1;
    }
  }
}
