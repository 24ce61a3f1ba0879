// URL checks HTTP.SYS makes before routing: total length (MaxFieldLength bounds the URL too -> 414),
// segment length (UrlSegmentMaxLength) and count (UrlSegmentMaxCount, and the site's maxUrlSegments) -> 400 `URL`.
import type { ListenerLimits } from '@poolhost/protocol';

export type UrlVerdict = null | 'URL_Length' | 'URL';

export function checkUrl(url: string, limits: ListenerLimits, siteMaxSegments: number): UrlVerdict {
  if (url.length > limits.maxFieldLength) return 'URL_Length';
  const maxLength = limits.urlSegmentMaxLength > 0 ? limits.urlSegmentMaxLength : Infinity;
  let maxCount = limits.urlSegmentMaxCount > 0 ? limits.urlSegmentMaxCount : Infinity;
  if (siteMaxSegments > 0 && siteMaxSegments < maxCount) maxCount = siteMaxSegments;
  let end = url.indexOf('?');
  if (end < 0) end = url.length;
  // Fast path: a path this short cannot break either limit.
  if (end <= maxLength && end <= maxCount) return null;
  let segments = 0;
  let start = 0;
  for (let i = 0; i <= end; i++) {
    if (i === end || url.charCodeAt(i) === 47 /* / */) {
      if (i > start) {
        segments++;
        if (i - start > maxLength || segments > maxCount) return 'URL';
      }
      start = i + 1;
    }
  }
  return null;
}
