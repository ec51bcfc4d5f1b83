// Which connection a request takes: straight to the host, or through the user's proxy. The bundled
// undici does not see VS Code's proxy support, so the choices VS Code's settings and the usual
// environment variables make are applied here (the VS Code side reads them: src/vscode/service.ts, readProxySettings).

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { PictorError } from './errors';
import { words, type WordArg } from '../../shared/words';
import { checkNameBeforeProxy, guardedLookup, isLoopbackHost, stripCredentials, systemLookup, type Lookup } from './addresses';
import type { Logger } from './errors';

export interface ProxyOptions {
  /** A proxy URL (http://host:port, credentials allowed); wins over the environment. */
  proxy?: string;
  /** Where `proxy` came from, named in messages; default "the proxy setting". */
  proxySource?: WordArg;
  /** Hosts that never use the proxy (VS Code's http.noProxy), on top of NO_PROXY. */
  noProxy?: readonly string[];
  /** false: accept any certificate on connections through the proxy (VS Code's http.proxyStrictSSL). */
  proxyStrictSSL?: boolean;
  /** The Proxy-Authorization header sent to the proxy (VS Code's http.proxyAuthorization). */
  proxyAuthorization?: string;
}

/** NO_PROXY: comma/space separated hosts, `.suffix`/`*.suffix` domains, optional `:port`, `*` for all. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (isLoopbackHost(url.hostname)) return true;
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2];
    } else if ((entry.match(/:/g) ?? []).length === 1) {
      const i = entry.indexOf(':');
      entryPort = entry.slice(i + 1);
      entry = entry.slice(0, i);
    }
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\*\./, '.');
    if (entry.startsWith('.')) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith('.' + entry)) {
      return true;
    }
  }
  return false;
}

/** The environment's proxy for a scheme, as VS Code picks it (https falls back to HTTP_PROXY). */
export function proxyFromEnv(env: NodeJS.ProcessEnv, protocol = 'https:'): { url: string; name: string } | undefined {
  const names = protocol === 'http:' ? ['HTTP_PROXY', 'http_proxy'] : ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { url: v, name };
  }
  return undefined;
}

/** The proxy a request went through, for messages: where it came from and its address (no credentials). */
export interface ProxyUse {
  shown: string;
  source: WordArg;
}

export interface Route {
  dispatcher: Dispatcher;
  proxy?: ProxyUse;
}

/**
 * Extra trusted certificates (NODE_EXTRA_CA_CERTS) on top of the built-in ones. Node reads the
 * variable only when a process starts; reading it here also covers a value the client was given.
 */
function extraCertificates(env: NodeJS.ProcessEnv, log?: Logger): string[] | undefined {
  const file = env.NODE_EXTRA_CA_CERTS?.trim();
  if (!file) return undefined;
  try {
    const pem = fs.readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return [...tls.rootCertificates, pem];
  } catch (e) {
    log?.('warn', `NODE_EXTRA_CA_CERTS: cannot use ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); only the built-in certificates are trusted.`);
    return undefined;
  }
}

export interface DispatcherOptions extends ProxyOptions {
  connectTimeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Hosts (URL `host`) of the configured provider: downloads may reach them even on a private address. */
  trustedHosts?: readonly string[];
  /** Name resolution for the download checks; default the system's (tests give their own). */
  lookup?: Lookup;
  log?: Logger;
}

/** Direct agents (one for the API, one for downloads that refuses private addresses) and a proxy agent per proxy URL. */
export class Dispatchers {
  private readonly direct: Agent;
  private readonly downloads: Agent;
  private readonly proxied = new Map<string, ProxyAgent>();
  private readonly noProxy: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly ca?: string[];
  private readonly trustedNames: ReadonlySet<string>;
  private readonly lookup: Lookup;

  constructor(private readonly opts: DispatcherOptions) {
    this.env = opts.env ?? process.env;
    this.ca = extraCertificates(this.env, opts.log);
    const connect = { timeout: opts.connectTimeoutMs, ...(this.ca ? { ca: this.ca } : {}) };
    this.direct = new Agent({ connect });
    this.trustedNames = new Set((opts.trustedHosts ?? []).map((h) => new URL(`http://${h}`).hostname.toLowerCase()));
    this.lookup = opts.lookup ?? systemLookup;
    this.downloads = new Agent({ connect: { ...connect, lookup: guardedLookup(this.trustedNames, this.lookup) } });
    this.noProxy = [this.env.NO_PROXY ?? this.env.no_proxy ?? '', ...(opts.noProxy ?? [])].filter(Boolean).join(',');
    if (opts.proxyStrictSSL === false) {
      opts.log?.('warn', 'http.proxyStrictSSL is off: certificates of connections through the proxy are not checked.');
    }
  }

  /** The connection for a URL; throws a clear error when the proxy that applies is not a usable URL. */
  route(url: URL, purpose: 'api' | 'download' = 'api'): Route {
    const direct = { dispatcher: purpose === 'download' ? this.downloads : this.direct };
    if (bypassesProxy(url, this.noProxy)) return direct;
    const setting = this.opts.proxy?.trim();
    const chosen = setting
      ? { url: setting, name: this.opts.proxySource ?? words('proxy.setting') }
      : proxyFromEnv(this.env, url.protocol);
    if (!chosen) return direct;
    let u: URL | undefined;
    try {
      u = new URL(chosen.url.includes('://') ? chosen.url : `http://${chosen.url}`);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
      throw new PictorError(
        'invalid',
        words('proxy.invalid', stripCredentials(chosen.url), chosen.name),
      );
    }
    const proxy = { shown: `${u.protocol}//${u.host}`, source: chosen.name };
    let agent = this.proxied.get(u.href);
    if (!agent) {
      const strict = this.opts.proxyStrictSSL !== false;
      const tlsOptions = { timeout: this.opts.connectTimeoutMs, rejectUnauthorized: strict, ...(this.ca ? { ca: this.ca } : {}) };
      const token = this.opts.proxyAuthorization?.trim();
      agent = new ProxyAgent({ uri: u.href, ...(token ? { token } : {}), proxyTls: tlsOptions, requestTls: tlsOptions });
      this.proxied.set(u.href, agent);
    }
    return { dispatcher: agent, proxy };
  }

  /**
   * Before a download request: one that goes through a proxy has its name looked up here first and
   * is refused when the name leads into a private network (a direct one is checked as it connects).
   */
  async checkDownload(url: URL, signal?: AbortSignal): Promise<void> {
    let route: Route;
    try {
      route = this.route(url, 'download');
    } catch {
      return; // the request itself tells what is wrong with the proxy
    }
    if (!route.proxy) return;
    await checkNameBeforeProxy(url, this.trustedNames, this.lookup, this.opts.connectTimeoutMs, signal, this.opts.log);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.direct.close(), this.downloads.close(), ...[...this.proxied.values()].map((a) => a.close())]);
  }
}
