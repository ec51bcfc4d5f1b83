// The panel's HTML shell: a strict CSP with a fresh nonce per load; scripts and styles only from dist/ and
// media/, images from the webview's resource roots (the workspace folders), never inline styles or eval.
import { randomBytes } from 'node:crypto';

export interface ShellUris {
  cspSource: string;
  script: string;
  style: string;
  codicons: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function panelHtml(uris: ShellUris, nonce: string, title: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${uris.cspSource} data:`,
    `style-src ${uris.cspSource}`,
    `font-src ${uris.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // Nothing is submitted or re-based: these are not covered by default-src.
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${uris.codicons}" rel="stylesheet">
<link href="${uris.style}" rel="stylesheet">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${nonce}" src="${uris.script}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
