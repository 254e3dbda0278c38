import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../protocol/constants';
import { DEFAULT_GATE, SocketGate, type GateLimits } from './admission';
import { presentedSecret } from './auth';
import type { SecretCheck } from './teamSecret';
import { RELAY_VERSION } from './version';

// The relay's HTTP side: a plain (or TLS) server that answers /healthz, refuses what is not a
// WebSocket upgrade to the relay's path, checks the Origin of browser connections and the team
// secret in the upgrade, and hands the socket to `ws`. Every TCP connection passes the socket
// gate first (admission.ts). No frame is read here.

export interface ServerOptions {
  tls?: { key: string; cert: string };
  /** Browser origins allowed to connect. Connections that send any other Origin are refused. */
  allowedOrigins?: string[];
  gate?: Partial<GateLimits>;
  headersTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Largest WebSocket message accepted, in bytes. */
  maxFrameBytes: number;
}

/** What the server asks of the relay. */
export interface ServerHooks {
  /** Upgrades are refused (503) once the relay is stopping. */
  stopping(): boolean;
  /** Members online, for /healthz. */
  online(): number;
  checkSecret(presented: string | undefined): SecretCheck;
  /** A WebSocket is open; `secretOk` says whether its upgrade carried the team secret, `leaveGate` takes it out of the not-yet-a-member count. */
  connected(ws: WebSocket, remote: string, secretOk: boolean, leaveGate: () => void): void;
  log(line: string): void;
}

export class RelayServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly gate: SocketGate;

  constructor(
    private readonly opts: ServerOptions,
    private readonly hooks: ServerHooks,
  ) {
    this.gate = new SocketGate({ ...DEFAULT_GATE, ...opts.gate });
    // Slow or oversized request heads are cut off: 16 KiB of headers at most, all within
    // headersTimeoutMs (checked every second).
    const serverOptions = { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1000 };
    this.server = opts.tls ? createTlsServer({ ...serverOptions, key: opts.tls.key, cert: opts.tls.cert }) : createServer(serverOptions);
    this.server.on('request', (req: IncomingMessage, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, relay: RELAY_VERSION, protocol: PROTOCOL_VERSION, online: this.hooks.online() }));
        return;
      }
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('Parley relay: connect with a WebSocket client (see docs/PROTOCOL.md)\n');
    });
    this.server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
    this.server.requestTimeout = 15_000;
    this.server.maxHeadersCount = 64;
    // The protocol has no subprotocols: one a client asks for is not echoed (`ws` would echo the first).
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: () => false,
    });
    this.wss.on('headers', (headers) => headers.push(`${PROTOCOL_HEADER}: ${PROTOCOL_VERSION}`));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    // Every TCP connection passes the gate first; one over its caps is closed before a byte is read.
    // A socket that is no member's by the end of the header and handshake timeouts is closed.
    const deadline = (opts.headersTimeoutMs ?? 10_000) + (opts.handshakeTimeoutMs ?? 10_000);
    this.server.on('connection', (socket: Socket) => {
      if (!this.gate.admit(socket, deadline)) socket.destroy();
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return this.address();
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** The bound address, or port 0 before listening (no hello can arrive then). */
  addressOrNone(): AddressInfo {
    return (this.server.address() as AddressInfo | null) ?? { address: '', family: '', port: 0 };
  }

  /** Sockets connected that are not a member's yet (see SocketGate). */
  pendingSockets(): number {
    return this.gate.pending;
  }

  /** Stops listening and closes every connection; resolves when closed, or after `graceMs` (having called `onLate`). */
  close(graceMs: number, onLate: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        onLate();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeAllConnections?.();
    });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const remote = req.socket.remoteAddress ?? 'unknown';
    if (this.hooks.stopping()) return refuse(socket, 503, ErrorCode.stopping, 'relay is stopping');
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '/parley') return refuse(socket, 404, ErrorCode.notFound, 'no such endpoint');
    const origin = req.headers.origin;
    if (origin !== undefined && !(this.opts.allowedOrigins ?? []).includes(origin)) {
      this.hooks.log(`refused connection from ${remote}: origin ${origin} not allowed`);
      return refuse(socket, 403, ErrorCode.badOrigin, 'origin not allowed');
    }
    // The secret is checked here but decided on in hello: members sign in with their keys (so a
    // stale secret after a rotation, or a neighbour's wrong guesses, never lock them out); only a
    // new member needs it.
    const secretCheck = this.hooks.checkSecret(presentedSecret(req));
    const secretOk = secretCheck === 'open' || secretCheck === 'current';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.hooks.connected(ws, remote, secretOk, () => this.gate.release(req.socket)));
  }
}

/** An upgrade refused with an HTTP status, its code in a header and a JSON body (clients show the message). */
function refuse(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Parley-Error: ${code}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
