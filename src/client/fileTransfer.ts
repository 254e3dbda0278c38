import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { ErrorCode } from '../protocol/constants';
import type { ClientFrame, FileBody, FileMeta } from '../protocol/wire';
import type { ClientStore, OutboxEntry } from './clientStore';
import { RelayError, type Emit } from './clientTypes';
import type { PendingRequests } from './pendingRequests';
import type { RateGate } from './rateGate';

type UploadEntry = Extract<OutboxEntry, { kind: 'upload' }>;

/** Describes a file to upload; throws when it is over the relay's cap (`maxBytes`). */
export function describeFile(name: string, bytes: Uint8Array, maxBytes: number, opts: { mime?: string; note?: string; thread?: number }): FileMeta {
  if (bytes.length > maxBytes) {
    throw new RelayError(ErrorCode.tooLarge, `${name} is ${bytes.length} bytes; the relay accepts files up to ${maxBytes} bytes`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    name,
    size: bytes.length,
    sha256,
    ...(opts.mime ? { mime: opts.mime } : {}),
    ...(opts.note ? { note: opts.note } : {}),
    ...(opts.thread !== undefined ? { thread: opts.thread } : {}),
  };
}

/**
 * Files in both directions. An upload announces the file (`upload`), waits for `upload.ready`
 * (which says where to resume, or that the relay already has it), then sends its chunks paced by
 * the same gate as messages and held back while the socket's buffer is full. A download fetches
 * chunk by chunk and checks size and sha256 before anyone sees the bytes.
 */
export class FileTransfer {
  /** Uploads waiting for the relay's `upload.ready` (or an ack or error for them). */
  private readonly waiters = new Map<string, { resolve: (next: number) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly store: ClientStore,
    private readonly gate: RateGate,
    private readonly requests: PendingRequests,
    private readonly chunkBytes: () => number,
    /** The socket uploads go on now (an upload stops when it is replaced). */
    private readonly socket: () => WebSocket | undefined,
    private readonly emit: Emit,
  ) {}

  /** Uploads an outbox entry's file on `ws`; resolves once its last chunk is written. */
  async upload(entry: UploadEntry, ws: WebSocket): Promise<void> {
    const bytes = this.store.outboxFile(entry.id);
    if (!bytes) throw new Error('file bytes missing from the outbox');
    const ready = new Promise<number>((resolve, reject) => this.waiters.set(entry.id, { resolve, reject }));
    let next: number;
    try {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'upload', id: entry.id, conv: entry.conv, ...entry.body } satisfies ClientFrame));
      next = await ready;
    } finally {
      this.waiters.delete(entry.id);
    }
    if (next < 0) return; // the relay already had it (acked as a duplicate)
    const size = this.chunkBytes();
    const count = Math.ceil(bytes.length / size);
    for (let i = next; i < count; i++) {
      if (this.socket() !== ws || ws.readyState !== WebSocket.OPEN) throw new Error('connection lost');
      await this.gate.take();
      const chunk = bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size));
      ws.send(JSON.stringify({ t: 'chunk', id: entry.id, index: i, data: chunk.toString('base64') } satisfies ClientFrame));
      this.emit('upload', entry.id, Math.min(bytes.length, (i + 1) * size), bytes.length);
      while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 2 * size) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** `upload.ready`: send from chunk `next` on. */
  ready(id: string, next: number): void {
    this.waiters.get(id)?.resolve(next);
  }

  /** Acked before any chunk: the relay already had this file. */
  acked(id: string): void {
    this.waiters.get(id)?.resolve(-1);
  }

  refused(id: string, err: Error): void {
    this.waiters.get(id)?.reject(err);
  }

  /** The connection ended: every upload waiting on it fails (and stays queued in the outbox). */
  dropAll(reason: string): void {
    for (const w of this.waiters.values()) w.reject(new RelayError('offline', reason));
    this.waiters.clear();
  }

  /** Downloads a file in chunks and checks its size and sha256. */
  async fetch(body: FileBody): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let index = 0, count = body.size > 0 ? 1 : 0; index < count; index++) {
      const res = await this.requests.request('fetch', { file: body.file, index });
      count = res.count;
      parts.push(Buffer.from(res.data, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== body.size) throw new RelayError(ErrorCode.hashMismatch, `received ${bytes.length} bytes of ${body.name}, expected ${body.size}`);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== body.sha256) throw new RelayError(ErrorCode.hashMismatch, `sha256 of ${body.name} does not match: the file was altered`);
    return bytes;
  }
}
