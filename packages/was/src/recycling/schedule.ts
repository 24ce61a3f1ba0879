// periodicRestart/schedule: recycle at local times of day (reference §3.3: `hh:mm:ss`, whole minutes).

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Milliseconds from `now` until the next scheduled local time of day strictly after it, or null when
 * the schedule is empty. Computed on the local calendar, so a daylight-saving change moves nothing.
 */
export function msUntilNextScheduledTime(now: number, schedule: readonly number[]): number | null {
  if (schedule.length === 0) return null;
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  let best: number | null = null;
  for (const offset of schedule) {
    for (const dayShift of [0, 1]) {
      const at = new Date(today);
      at.setDate(at.getDate() + dayShift);
      const hours = Math.floor(offset / 3_600_000);
      const minutes = Math.floor((offset % 3_600_000) / 60_000);
      const seconds = Math.floor((offset % 60_000) / 1000);
      at.setHours(hours, minutes, seconds, 0);
      const delta = at.getTime() - now;
      if (delta > 0 && (best === null || delta < best)) best = delta;
    }
  }
  return best ?? dayMs;
}

/** `03:00` for messages. */
export function formatTimeOfDay(offset: number): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(Math.floor(offset / 3_600_000))}:${two(Math.floor((offset % 3_600_000) / 60_000))}`;
}
