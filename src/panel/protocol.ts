// Every message between the panel's host side and its webview. Shared by both sides; the host
// validates everything that comes from the webview (it is untrusted input).

export interface PanelOptions {
  size: string;
  resolution: string;
  quality: string;
  n: number;
}

/** Host → webview. */
export type HostMessage =
  | { type: 'init'; strings: Record<string, string>; options: PanelOptions };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns the message when it has a known shape, else undefined (and the host ignores it). */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return Object.keys(raw).length === 1 ? { type: 'ready' } : undefined;
    default:
      return undefined;
  }
}
