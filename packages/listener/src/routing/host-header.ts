// The host part of a Host header, lower-cased, without the port: `Example.com:8080` -> `example.com`,
// `[::1]:80` -> `[::1]`. HTTP.SYS matches host names case-insensitively and ignores the port.
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let end = hostHeader.length;
  if (hostHeader.charCodeAt(0) === 91 /* [ */) {
    const close = hostHeader.indexOf(']');
    if (close > 0) end = close + 1;
  } else {
    const colon = hostHeader.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  const host = end === hostHeader.length ? hostHeader : hostHeader.slice(0, end);
  return hasUpperCase(host) ? host.toLowerCase() : host;
}

function hasUpperCase(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) return true;
  }
  return false;
}

/** `::ffff:10.0.0.5` (an IPv4 client on a dual-stack socket) -> `10.0.0.5`. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
