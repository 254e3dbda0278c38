import type WebSocket from 'ws';
import { BASE_SEND_KINDS, type RelayEvent, type WelcomeEvent } from '../protocol/wire';
import type { RelayConnection } from './clientConnection';
import type { ClientStore, OutboxEntry } from './clientStore';
import { RelayError, RETRYABLE, type Emit } from './clientTypes';
import type { FileTransfer } from './fileTransfer';
import type { RateGate } from './rateGate';

/**
 * Puts the persistent outbox on the wire: oldest first, paced under the relay's rate limit, each
 * entry at most once per socket (an entry sent on an older socket is sent again on the new one:
 * the relay deduplicates by id). An entry leaves the outbox only with its ack; a refusal fails it,
 * unless the relay was only busy (rate_limited, internal), then it goes again a second later.
 */
export class OutboxPump {
  /** Outbox ids sent on a socket and not yet acked; an id sent on an older socket is not in flight. */
  private readonly inFlight = new Map<string, WebSocket>();
  /** Outbox entries waiting for their turn on the wire. */
  private sendQueue: OutboxEntry[] = [];
  private readonly queued = new Set<string>();
  private pumping = false;
  private resendTimer: NodeJS.Timeout | undefined;
  /** Body kinds the relay accepts (from its welcome). */
  private relayKinds: ReadonlySet<string> = new Set(BASE_SEND_KINDS);
  private relayVersion = '';

  constructor(
    private readonly store: ClientStore,
    private readonly connection: RelayConnection,
    private readonly files: FileTransfer,
    private readonly gate: RateGate,
    private readonly emit: Emit,
    private readonly log: (line: string) => void,
  ) {}

  /** What the relay's welcome says about sending: its rate limit and the body kinds it knows. */
  configure(e: WelcomeEvent): void {
    this.relayKinds = new Set(e.kinds ?? BASE_SEND_KINDS);
    this.relayVersion = e.relay;
    this.gate.configure(e.limits.ratePerSecond * 0.8, Math.max(1, Math.floor(e.limits.rateBurst / 2)));
  }

  /** Writes a new entry to the outbox (with a file's bytes) and sends it when connected. */
  add(entry: OutboxEntry, bytes?: Uint8Array): void {
    this.store.addOutbox(entry, bytes);
    this.emit('outbox', { id: entry.id, conv: entry.conv, state: 'queued' });
    this.transmit(entry);
  }

  /** Sends a failed entry again. */
  retry(id: string): void {
    const entry = this.store.outboxEntry(id);
    if (!entry) return;
    this.store.setOutboxState(id, 'queued');
    this.emit('outbox', { id, conv: entry.conv, state: 'queued' });
    this.transmit({ ...entry, state: 'queued' });
  }

  /** Drops an entry from the outbox (a failed one the user gave up on). */
  discard(id: string): void {
    this.store.removeOutbox(id);
    this.inFlight.delete(id);
  }

  /** Puts every queued (not failed) outbox entry on the wire, oldest first. */
  transmitQueued(): void {
    for (const entry of this.store.outbox()) if (entry.state === 'queued') this.transmit(entry);
  }

  acked(e: Extract<RelayEvent, { t: 'ack' }>): void {
    this.inFlight.delete(e.id);
    this.files.acked(e.id);
    if (this.store.removeOutbox(e.id)) this.emit('outbox', { id: e.id, conv: e.conv, state: 'sent', seq: e.seq });
  }

  /** The relay refused frame `ref`; false when that is no outbox entry. */
  refused(ref: string, code: string, message: string): boolean {
    const entry = this.store.outboxEntry(ref);
    if (!entry) return false;
    this.inFlight.delete(ref);
    this.files.refused(ref, new RelayError(code, message));
    if (RETRYABLE.has(code)) {
      this.scheduleResend();
    } else {
      this.store.setOutboxState(ref, 'failed', `${code}: ${message}`);
      this.emit('outbox', { id: ref, conv: entry.conv, state: 'failed', error: message });
    }
    return true;
  }

  /** The connection ended: nothing is in flight or waiting for it any more (the outbox keeps all). */
  dropConnection(): void {
    this.inFlight.clear();
    this.sendQueue = [];
    this.queued.clear();
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = undefined;
  }

  /** Queues an outbox entry for the wire; entries go out in order, paced under the rate limit. */
  private transmit(entry: OutboxEntry): void {
    const ws = this.connection.socket;
    if (!this.connection.ready || !ws || entry.state !== 'queued') return;
    if (this.inFlight.get(entry.id) === ws || this.queued.has(entry.id)) return;
    this.queued.add(entry.id);
    this.sendQueue.push(entry);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.sendQueue.length && this.connection.ready) {
        await this.gate.take();
        const ws = this.connection.socket;
        const entry = this.sendQueue.shift();
        if (entry) this.queued.delete(entry.id);
        if (!entry || !ws || !this.connection.ready) break;
        if (this.store.outboxState(entry.id) !== 'queued') continue; // acked or discarded meanwhile
        this.sendOne(entry, ws);
      }
    } finally {
      this.pumping = false;
    }
  }

  private sendOne(entry: OutboxEntry, ws: WebSocket): void {
    this.inFlight.set(entry.id, ws);
    if (entry.kind === 'upload') {
      void this.files.upload(entry, ws).catch((err) => {
        if (this.inFlight.get(entry.id) === ws) this.inFlight.delete(entry.id);
        this.log(`upload of ${entry.body.name} interrupted: ${(err as Error).message}; it stays queued`);
      });
      return;
    }
    // A relay that does not know a kind would refuse the frame and close the connection (and the
    // resend after reconnecting would do it again): fail it here instead.
    if (!this.relayKinds.has(entry.body.kind)) {
      this.inFlight.delete(entry.id);
      const error = `this relay (${this.relayVersion}) does not support ${entry.body.kind} messages yet; update the relay`;
      this.store.setOutboxState(entry.id, 'failed', `unsupported: ${error}`);
      this.emit('outbox', { id: entry.id, conv: entry.conv, state: 'failed', error });
      return;
    }
    this.connection.send({ t: 'send', id: entry.id, conv: entry.conv, body: entry.body });
  }

  private scheduleResend(): void {
    if (this.resendTimer) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      this.transmitQueued();
    }, 1000);
  }
}
