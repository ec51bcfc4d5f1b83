// Where a host name points: this machine (loopback), a private network, or the public internet. A
// callback URL must be public; a reference URL may use plain http only for loopback (tests).
import { isIP } from 'node:net';

export type HostKind = 'loopback' | 'private' | 'public';

function ipv4Kind(a: number, b: number): HostKind {
  if (a === 127) return 'loopback';
  if (a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) {
    return 'private';
  }
  return 'public';
}

/** Eight 16-bit groups of a valid IPv6 literal (zone removed, trailing dotted IPv4 allowed). */
function ipv6Groups(addr: string): number[] {
  let s = addr.split('%')[0]!;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  if (rest === undefined) return h;
  const t = parse(rest);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * Whether a URL host is loopback, private/link-local/unspecified, or anything else. Literal
 * IPs only (a name that resolves to a private address cannot be told apart without DNS).
 * Expects the host as `URL.hostname` gives it: IPv4 already normalised, IPv6 in brackets.
 */
export function hostKind(hostname: string): HostKind {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  const family = isIP(h);
  if (family === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return ipv4Kind(a, b);
  }
  if (family === 6) {
    const g = ipv6Groups(h);
    const zeroUpTo = (k: number) => g.slice(0, k).every((x) => x === 0);
    if (zeroUpTo(7) && g[7] === 1) return 'loopback';
    if (zeroUpTo(8)) return 'private';
    if (zeroUpTo(5) && g[5] === 0xffff) return ipv4Kind(g[6]! >> 8, g[6]! & 0xff); // ::ffff:a.b.c.d
    if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfe80) return 'private';
  }
  return 'public';
}
