// One Date header value per second, shared by error responses and the HTTPERR log clock.
let cachedSecond = -1;
let cachedValue = '';

export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
