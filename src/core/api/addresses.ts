// Where a download may go. A result URL comes from the provider's answer, and a redirect from
// whatever host serves it: neither may point Pictor at the user's own network (a router page, a
// cloud metadata service, a local admin port) unless that is where the user put the provider.

import * as dns from 'node:dns';
import * as net from 'node:net';
import { PictorError } from './errors';
import { errorOf, words, type Words } from '../../shared/words';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    // IPv4-mapped loopback as the URL parser normalises it (::ffff:127.x.y.z -> ::ffff:7fxx:yyzz).
    return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h) || /^::ffff:127\./.test(h);
  }
  return false;
}

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
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
const LISTS = RANGES.map(([address, prefix, type, cls]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, type);
  return { list, type, cls };
});

/** The class of an IP address that is not on the public internet; undefined for public ones and for names. */
export function addressClass(ip: string): AddressClass | undefined {
  let a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  // IPv4-mapped IPv6, written either way (::ffff:10.0.0.1 or, as URLs normalise it, ::ffff:a00:1).
  const mapped = /^::ffff:(?:([0-9.]+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(a);
  if (mapped) {
    if (mapped[1]) a = mapped[1];
    else {
      const hi = parseInt(mapped[2], 16);
      const lo = parseInt(mapped[3], 16);
      a = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  const type = net.isIPv4(a) ? 'ipv4' : net.isIPv6(a) ? 'ipv6' : undefined;
  if (!type) return undefined;
  return LISTS.find((l) => l.type === type && l.list.check(a, type))?.cls;
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

/**
 * A `lookup` for net.connect that refuses names resolving into a private network (a public name
 * can point anywhere): the check on the URL's text cannot see that. Names in `trusted` pass.
 */
export function guardedLookup(trusted: ReadonlySet<string>) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as dns.LookupAddress[];
      if (!trusted.has(hostname.toLowerCase())) {
        const bad = list.find((a) => addressClass(a.address));
        if (bad) {
          // Its words travel with it: the download's error says them (http.ts classifyError).
          const e: NodeJS.ErrnoException = errorOf(words('download.resolvesTo', hostname, CLASS_WORDS[addressClass(bad.address)!], bad.address));
          e.code = PRIVATE_TARGET;
          return callback(e, '');
        }
      }
      if (options.all) return callback(null, list);
      if (!list.length) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, list[0].address, list[0].family);
    });
  };
}
