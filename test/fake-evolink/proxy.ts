// A real HTTP CONNECT proxy on 127.0.0.1 for the proxy tests, standing in for a corporate proxy.
// It tunnels `*.evolink.test` names to the fake provider: port 443 through a TLS front that holds a
// certificate from the test CA (tlsFixture.ts), port 80 straight to the fake's plain http. Anything
// else is refused with 502, as a proxy that cannot reach a host answers. It records each CONNECT it
// was asked for, with its headers, so a test can see what went through it and what the proxy saw.
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { SERVER_CERT_PEM, SERVER_KEY_PEM } from './tlsFixture';

export interface ProxyRecord {
  /** host:port asked for. */
  target: string;
  proxyAuthorization?: string;
  /** The request head as it arrived (the only part of a tunnel a proxy can read). */
  head: string;
}

export interface TestProxy {
  url: string;
  port: number;
  connects: ProxyRecord[];
  /** Require this Proxy-Authorization value (407 otherwise); undefined: no authentication. */
  requireAuthorization?: string;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

export async function startTestProxy(fakePort: number): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  // https://*.evolink.test: TLS ends here, the plain bytes go on to the fake.
  const front = tls.createServer({ cert: SERVER_CERT_PEM, key: SERVER_KEY_PEM }, (clear) => {
    track(clear);
    const upstream = net.connect(fakePort, '127.0.0.1');
    track(upstream);
    clear.pipe(upstream).pipe(clear);
  });
  front.on('tlsClientError', () => undefined); // a client that refuses our certificate: its test checks that
  const frontPort = await listen(front);

  const server = http.createServer((_req, res) => {
    res.writeHead(405, { 'Content-Length': 0 }).end(); // only CONNECT is offered
  });
  const proxy: TestProxy = {
    url: '',
    port: 0,
    connects: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        front.close();
        server.close(() => resolve());
      }),
  };
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const target = req.url ?? '';
    const auth = req.headers['proxy-authorization'];
    proxy.connects.push({
      target,
      proxyAuthorization: typeof auth === 'string' ? auth : undefined,
      head: [`${req.method} ${target} HTTP/${req.httpVersion}`, ...req.rawHeaders.flatMap((v, i, a) => (i % 2 ? [] : [`${v}: ${a[i + 1]}`]))].join('\r\n'),
    });
    if (proxy.requireAuthorization !== undefined && auth !== proxy.requireAuthorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const m = /^([a-z0-9.-]+\.evolink\.test):(\d+)$/i.exec(target);
    if (!m || (m[2] !== '443' && m[2] !== '80')) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(m[2] === '443' ? frontPort : fakePort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    track(upstream);
  });
  proxy.port = await listen(server);
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}
