import { isReplyTo, type ReplyTo, type RequestFields, type RequestFrame, type RequestType } from '../protocol/requests';
import type { RelayEvent } from '../protocol/wire';
import { RelayError } from './clientTypes';
import { newRequestId } from './ids';

interface Pending {
  t: RequestType;
  resolve: (e: RelayEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The requests waiting for the relay's answer, by `rid`. A request lives on one connection: when
 * that ends every pending one fails as `offline` (the caller decides whether to ask again).
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** Sends a frame on the current connection; false when there is none. */
    private readonly sendFrame: (frame: RequestFrame) => boolean,
    private readonly timeoutMs: number,
  ) {}

  /** Sends request `t` and resolves with its answer (typed by protocol/requests.ts's REPLIES). */
  request<T extends RequestType>(t: T, fields: RequestFields<T>, timeoutMs = this.timeoutMs): Promise<ReplyTo<T>> {
    const rid = newRequestId();
    return new Promise<ReplyTo<T>>((resolve, reject) => {
      const frame = { ...fields, t, rid } as RequestFrame;
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new RelayError('timeout', `the relay did not answer ${t} in time`));
      }, timeoutMs);
      this.pending.set(rid, { t, resolve: resolve as (e: RelayEvent) => void, reject, timer });
      if (!this.sendFrame(frame)) this.fail(rid, new RelayError('offline', 'not connected to the relay'));
    });
  }

  has(rid: string): boolean {
    return this.pending.has(rid);
  }

  /** Hands `e` to the request with its `rid`; an event of a type that does not answer it fails it. */
  settle(rid: string, e: RelayEvent): void {
    const p = this.take(rid);
    if (!p) return;
    if (isReplyTo(p.t, e)) p.resolve(e);
    else p.reject(new RelayError('bad_reply', `the relay answered ${p.t} with ${e.t}`));
  }

  /** Fails one request (the relay answered it with an error); false when none has that `rid`. */
  fail(rid: string, err: Error): boolean {
    const p = this.take(rid);
    p?.reject(err);
    return p !== undefined;
  }

  /** Fails every pending request (the connection they were sent on ended). */
  failAll(reason: string): void {
    for (const rid of [...this.pending.keys()]) this.fail(rid, new RelayError('offline', reason));
  }

  private take(rid: string): Pending | undefined {
    const p = this.pending.get(rid);
    if (!p) return undefined;
    this.pending.delete(rid);
    clearTimeout(p.timer);
    return p;
  }
}
