// IIS timeSpan attributes use .NET TimeSpan text: `hh:mm:ss`, `d.hh:mm:ss`, optional fractional
// seconds (`00:00:01.5`), and hours past 23 are accepted (`29:00:00` is periodicRestart's default).
// poolhost carries durations as milliseconds.

const TIME_SPAN = /^\s*(?:(\d+)\.)?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/;

/** Parses an IIS timeSpan into milliseconds; throws a RangeError naming the expected form. */
export function parseTimeSpan(text: string): number {
  const match = TIME_SPAN.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a timeSpan; expected hh:mm:ss or d.hh:mm:ss`);
  const [, days = '0', hours, minutes, seconds = '0', fraction = ''] = match;
  if (Number(minutes) > 59) throw new RangeError(`"${text}" has ${minutes} minutes; minutes go from 00 to 59`);
  if (Number(seconds) > 59) throw new RangeError(`"${text}" has ${seconds} seconds; seconds go from 00 to 59`);
  const fractionMs = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return (((Number(days) * 24 + Number(hours!)) * 60 + Number(minutes!)) * 60 + Number(seconds)) * 1000 + fractionMs;
}

/** Formats milliseconds the way IIS writes a timeSpan: `00:01:30`, `1.05:00:00`, `00:00:00.2500000`. */
export function formatTimeSpan(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new RangeError(`${milliseconds} ms cannot be written as a timeSpan`);
  const wholeMs = Math.round(milliseconds);
  const totalSeconds = Math.floor(wholeMs / 1000);
  const fraction = wholeMs % 1000;
  const days = Math.floor(totalSeconds / 86400);
  const hours = Math.floor((totalSeconds % 86400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  let out = `${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (days > 0) out = `${days}.${out}`;
  if (fraction > 0) out += `.${String(fraction).padStart(3, '0')}0000`;
  return out;
}
