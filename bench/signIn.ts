// The signed sign-in (protocol 2, docs/PROTOCOL.md "Signing in") for the benches' raw sockets:
// the relay's first event is a `challenge`; the answer is a hello signed over its nonce and the
// address dialled.
import type WebSocket from 'ws';
import { loadIdentity, type Identity } from '../src/infra/identity';
import { PROTOCOL_VERSION } from '../src/protocol/constants';
import { helloPayload } from '../src/protocol/handshake';

/** The hello frame (as text) for `name`, signed by `id` over `nonce` and the relay at `url`. */
export function helloFrame(id: Identity, nonce: string, url: string, name: string, client = 'parley-bench'): string {
  const sig = id.sign(helloPayload({ v: PROTOCOL_VERSION, nonce, relay: url, name, key: id.publicKey }));
  return JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, name, key: id.publicKey, sig, relay: url, client });
}

/**
 * Answers the relay's challenge on `ws` with a signed hello. Call it right after making the
 * socket (the challenge can arrive before an awaited `open` resumes). Other frames before the
 * challenge are an error: the relay sends the challenge first.
 */
export function signInOnChallenge(ws: WebSocket, url: string, name: string, identity: string | Identity, onError: (err: Error) => void = () => {}): void {
  const id = typeof identity === 'string' ? loadIdentity(identity) : identity;
  ws.once('message', (data: WebSocket.RawData) => {
    let events: { t?: unknown; nonce?: unknown }[];
    try {
      events = JSON.parse(data.toString()) as { t?: unknown; nonce?: unknown }[];
    } catch {
      onError(new Error('the first frame from the relay is not JSON'));
      return;
    }
    const c = Array.isArray(events) ? events.find((e) => e && e.t === 'challenge') : undefined;
    if (!c || typeof c.nonce !== 'string') {
      onError(new Error(`the relay's first frame is not a challenge: ${data.toString().slice(0, 200)}`));
      return;
    }
    ws.send(helloFrame(id, c.nonce, url, name));
  });
}
