// What kind of address a host is, by one rule (Node's BlockList over the ranges below), and where a
// download may go by it. A result URL comes from the provider's answer, and a redirect from
// whatever host serves it: neither may point Pictor at the user's own network (a router page, a
// cloud metadata service, a local admin port) unless that is where the user put the provider. A
// callback or reference URL in a request is judged by the same rule (hostKind, requestReferences.ts).

import * as dns from 'node:dns';
import * as net from 'node:net';
import { PictorError } from './errors';
import { errorOf, words, type Words } from '../../shared/words';

/** Text safe to show for a URL: no credentials, no query (result URLs carry signatures). */
export function describeUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export function stripCredentials(s: string): string {
  return s.replace(/\/\/[^@/\s]*@/g, '//');
}

type AddressClass = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

const RANGES: Array<[string, number, 'ipv4' | 'ipv6', AddressClass]> = [
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private'], // carrier-grade NAT
  ['169.254.0.0', 16, 'ipv4', 'link-local'], // also cloud metadata services
  ['198.18.0.0', 15, 'ipv4', 'reserved'], // benchmarking (RFC 2544): test networks, never an internet host
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['64:ff9b:1::', 48, 'ipv6', 'private'], // local-use NAT64 (RFC 8215): only means something inside one network
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
const LISTS = RANGES.map(([address, prefix, type, cls]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, type);
  return { list, type, cls };
});

/** The eight 16-bit groups of an IPv6 address (one net.isIPv6 accepts, zone removed). */
function ipv6Groups(a: string): number[] {
  let s = a;
  // A trailing dotted IPv4 (::ffff:10.0.0.1) as the two groups it stands for.
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [b1, b2, b3, b4] = dotted.slice(2).map(Number) as [number, number, number, number];
    s = `${dotted[1]}${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  if (tail === undefined) return h;
  const t = groups(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * The IPv4 address an IPv6 one stands for, where a connection to it ends up at that IPv4 host:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d),
 * NAT64's well-known prefix (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). Undefined for others.
 */
function embeddedIPv4(a: string): string | undefined {
  const g = ipv6Groups(a);
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  // :: and ::1 are IPv6's own unspecified and loopback addresses, not 0.0.0.0 and 0.0.0.1.
  if (zero(0, 6) && !(g[6] === 0 && g[7]! <= 1)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return undefined;
}

/**
 * The class of an IP address that is not on the public internet; undefined for public ones and for
 * names. An IPv6 address that carries an IPv4 one (see embeddedIPv4) is judged by that IPv4 address.
 */
export function addressClass(ip: string): AddressClass | undefined {
  let a = bareHost(ip);
  if (net.isIPv6(a)) a = embeddedIPv4(a) ?? a;
  const type = net.isIPv4(a) ? 'ipv4' : net.isIPv6(a) ? 'ipv6' : undefined;
  if (!type) return undefined;
  return LISTS.find((l) => l.type === type && l.list.check(a, type))?.cls;
}

/** A host as a URL gives it, bare: no brackets, no zone, no trailing dot, lower case. */
function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '').replace(/\.$/, '');
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4'); // BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1)
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a host is this computer: `localhost` and its subdomains, 127.0.0.0/8, ::1 and its
 * IPv4-mapped form. The one test that lets plain http or a test callback through, so it is narrower
 * than addressClass's 'loopback' (which also counts addresses that only carry 127.x, such as 6to4).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = bareHost(hostname);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const type = net.isIPv4(h) ? 'ipv4' : net.isIPv6(h) ? 'ipv6' : undefined;
  return type !== undefined && LOOPBACK.check(h, type);
}

export type HostKind = 'loopback' | 'private' | 'public';

/**
 * Where a URL host points, by the one rule above: this computer, somewhere not on the public
 * internet (any class of addressClass), or anything else. Literal IPs only: a name that resolves to a
 * private address cannot be told apart without DNS (guardedLookup does that for downloads).
 */
export function hostKind(hostname: string): HostKind {
  if (isLoopbackHost(hostname)) return 'loopback';
  return addressClass(bareHost(hostname)) ? 'private' : 'public';
}

const CLASS_WORDS: Record<AddressClass, Words> = {
  loopback: words('address.loopback'),
  private: words('address.private'),
  'link-local': words('address.linkLocal'),
  unspecified: words('address.unspecified'),
  multicast: words('address.multicast'),
  reserved: words('address.reserved'),
};

/**
 * Checks one hop of a result download: http or https, and not into this computer or a private
 * network unless it is the provider the user configured (`trustedHosts`, as URL `host`s).
 * Plain http is allowed: result URLs are pre-signed and never get the key, and the bytes are
 * checked as an image (the provider's own example answers with an http:// result URL).
 */
export function checkResultHop(u: URL, trustedHosts: ReadonlySet<string>, first: boolean): void {
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new PictorError('download', words(first ? 'download.notHttp' : 'download.redirectNotHttp', u.protocol), { retryable: false });
  }
  if (trustedHosts.has(u.host.toLowerCase())) return;
  const host = u.hostname.toLowerCase();
  const cls = isLoopbackHost(host) ? 'loopback' : addressClass(host);
  if (cls) {
    const where = first ? words('download.pointsAt', u.hostname, CLASS_WORDS[cls]) : words('download.redirectedTo', describeUrl(u), CLASS_WORDS[cls]);
    throw new PictorError('download', words('download.notFetched', where), { retryable: false });
  }
}

/** Error code of a connection refused by the guarded lookup below. */
export const PRIVATE_TARGET = 'PICTOR_PRIVATE_TARGET';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Name resolution as dns.lookup with `all: true` gives it; tests pass their own. */
export type Lookup = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

export const systemLookup: Lookup = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/** Why the addresses a name resolved to are out of bounds (the first private one), or undefined. */
function privateResolution(hostname: string, list: readonly dns.LookupAddress[]): Words | undefined {
  for (const a of list) {
    const cls = addressClass(a.address);
    // A name that resolves into 198.18.0.0/15 is a fake-IP proxy's answer (Clash, Surge and the like
    // answer every name from that range and route it to the proxy, which connects by the name): the
    // proxy's network, not the user's. Written in a URL, the range is still refused (checkResultHop).
    if (cls && !isFakeIp(a.address)) return words('download.resolvesTo', hostname, CLASS_WORDS[cls], a.address);
  }
  return undefined;
}

const FAKE_IP = new net.BlockList();
FAKE_IP.addSubnet('198.18.0.0', 15, 'ipv4');

function isFakeIp(address: string): boolean {
  const v4 = net.isIPv4(address) ? address : net.isIPv6(address) ? embeddedIPv4(address) : undefined;
  return v4 !== undefined && FAKE_IP.check(v4, 'ipv4');
}

/**
 * A `lookup` for net.connect that refuses names resolving into a private network (a public name
 * can point anywhere): the check on the URL's text cannot see that. Names in `trusted` pass.
 */
export function guardedLookup(trusted: ReadonlySet<string>, lookup: Lookup = systemLookup) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '');
      const bad = trusted.has(hostname.toLowerCase()) ? undefined : privateResolution(hostname, list);
      if (bad) {
        // Its words travel with it: the download's error says them (http.ts classifyError).
        const e: NodeJS.ErrnoException = errorOf(bad);
        e.code = PRIVATE_TARGET;
        return callback(e, '');
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Through a proxy the proxy resolves the name and the guarded lookup above never runs, so the
 * name is looked up here first and refused when it leads into a private network. A name this
 * computer cannot resolve (or not within `timeoutMs`) is left to the proxy: what only the proxy
 * can reach is the proxy's network, not the user's.
 */
export function checkNameBeforeProxy(
  u: URL,
  trusted: ReadonlySet<string>,
  lookup: Lookup,
  timeoutMs: number,
  signal?: AbortSignal,
  log?: (level: 'debug', msg: string) => void,
): Promise<void> {
  const hostname = u.hostname.toLowerCase();
  // IP literals were judged by their text (checkResultHop); the provider's own name may be private.
  if (net.isIP(hostname.replace(/^\[|\]$/g, '')) || trusted.has(hostname)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    const timer = setTimeout(
      () =>
        settle(() => {
          log?.('debug', `${hostname}: no answer from the lookup here within ${timeoutMs} ms, left to the proxy`);
          resolve();
        }),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    lookup(hostname, { all: true }, (err, list) =>
      settle(() => {
        if (err) {
          log?.('debug', `${hostname}: not found by the lookup here (${err.code ?? err.message}), left to the proxy`);
          return resolve();
        }
        const bad = privateResolution(hostname, list);
        if (bad) return reject(new PictorError('download', words('download.notFetched', bad), { retryable: false }));
        log?.('debug', `${hostname} resolves here to ${list.map((a) => a.address).join(', ')}; on through the proxy`);
        resolve();
      }),
    );
  });
}
