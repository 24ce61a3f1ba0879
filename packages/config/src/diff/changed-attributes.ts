// Dotted names of the values that differ between two model objects (`processModel.maxProcesses`),
// skipping source positions and the nested collections diffed on their own.

export function changedAttributes(before: unknown, after: unknown, skip: readonly string[] = [], prefix = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    const out: string[] = [];
    for (const name of names) {
      if (name === 'position' || skip.includes(prefix + name)) continue;
      out.push(...changedAttributes(before[name], after[name], skip, `${prefix}${name}.`));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix.slice(0, -1)];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
