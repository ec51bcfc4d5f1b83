// VS Code's proxy settings, handed to the provider client. VS Code applies them to Node's own http
// modules, but Pictor's bundled HTTP client (undici) does not go through those, so it reads them here.
// The environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS) is read by the client itself.
import * as vscode from 'vscode';
import type { ProxyOptions } from '../../core/api/proxy';

const KEYS = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxyAuthorization'] as const;

export function readProxySettings(): ProxyOptions {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy')?.trim();
  const noProxy = http.get<unknown>('noProxy');
  const auth = http.get<unknown>('proxyAuthorization');
  return {
    proxy: proxy || undefined,
    proxySource: vscode.l10n.t('the http.proxy setting'),
    noProxy: Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [],
    proxyStrictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    proxyAuthorization: typeof auth === 'string' && auth.trim() ? auth.trim() : undefined,
  };
}

/** True when a configuration change touches one of the settings above. */
export function affectsProxy(e: vscode.ConfigurationChangeEvent): boolean {
  return KEYS.some((k) => e.affectsConfiguration(`http.${k}`));
}

/** Same proxy choice: no need to build a new client. */
export function sameProxy(a: ProxyOptions, b: ProxyOptions): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
