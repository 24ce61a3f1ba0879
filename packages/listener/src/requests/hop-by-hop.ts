// Connection-level headers (RFC 9110 §7.6.1) a worker must not set on the client connection:
// httpsys frames the response for the client itself (ListenerRequest.writeHead). `Trailer` is not one
// (RFC 9110 §6.6.2): it announces the trailer fields httpsys sends after the body.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'upgrade']);

function isHopByHop(name: string): boolean {
  const length = name.length;
  // Cheap length filter before lower-casing: 2 te, 7 upgrade, 10 connection/keep-alive, 16 proxy-connection, 17 transfer-encoding
  if (length !== 2 && length !== 7 && length !== 10 && length !== 16 && length !== 17) return false;
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** Removes hop-by-hop pairs from a flat header list, in place (usually there are none). */
export function stripHopByHop(headers: string[]): string[] {
  let write = 0;
  for (let read = 0; read < headers.length; read += 2) {
    if (isHopByHop(headers[read]!)) continue;
    if (write !== read) {
      headers[write] = headers[read]!;
      headers[write + 1] = headers[read + 1]!;
    }
    write += 2;
  }
  headers.length = write;
  return headers;
}
