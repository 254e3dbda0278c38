// A member who floods the relay with costly requests (test/faults/stall.test.ts runs it in its
// own process, so its reading and the relay's work do not share the test's event loop).
// argv: relay url, attack (history | fetch | search | rooms | sync), count. Prints JSON lines:
// {"event":"seeded"} once its data is in place; then, after "go" on stdin, it writes `count`
// requests in one TCP write and goes on at just under the relay's rate limit (so it is not cut
// off for flooding) until "stop" on stdin; then it prints {"event":"done", ...} once every
// request is answered (or {"event":"closed"} if the relay cut it off).
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { newIdentitySecret } from '../../src/infra/identity';
import { signedHello } from '../helpers';
import { MAX_SYNC_CURSORS } from '../../src/protocol/constants';

const [url, attack, countArg] = process.argv.slice(2);
const count = Number(countArg);
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

type Event = Record<string, unknown> & { t: string };

async function main(): Promise<void> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  const waiters: { pred: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  let answered = 0;
  let bytes = 0;
  let errors = 0;
  let going = false;
  ws.on('message', (data: Buffer) => {
    bytes += data.length;
    if (going && data.length > 64 * 1024) {
      // Big answers are counted, not parsed: this process only has to keep reading.
      answered += countAnswers(data);
      return;
    }
    for (const e of JSON.parse(data.toString()) as Event[]) {
      const ref = e.t === 'error' ? e.ref : e.rid;
      if (going && typeof ref === 'string' && ref.startsWith('flood')) {
        answered++;
        if (e.t === 'error') errors++;
      }
      for (const w of waiters.splice(0)) {
        if (w.pred(e)) w.resolve(e);
        else waiters.push(w);
      }
    }
  });
  const next = (pred: (e: Event) => boolean) => new Promise<Event>((resolve) => waiters.push({ pred, resolve }));
  ws.on('close', (code) => {
    say({ event: 'closed', code, answered, bytes });
    process.exit(0);
  });
  // Waiting for the challenge before `open` resolves: it can come in the same read as the upgrade.
  const challenged = next((e) => e.t === 'challenge');
  await new Promise((res, rej) => ws.once('open', res).once('error', rej));
  const send = (f: object) => ws.send(JSON.stringify(f));
  const challenge = await challenged;
  send(signedHello(newIdentitySecret(), String(challenge.nonce), url, 'mallory'));
  const welcome = await next((e) => e.t === 'welcome');
  const me = (welcome.you as { id: string }).id;
  send({ t: 'sync', rid: 'init', cursors: {} });
  await next((e) => e.t === 'synced');
  // A note-to-self conversation: what is seeded there is seen by nobody else.
  send({ t: 'dm.open', rid: 'self', user: me });
  const conv = ((await next((e) => e.t === 'conv' && e.rid === 'self')).conversation as { id: string }).id;

  let file = '';
  if (attack === 'history' || attack === 'search') {
    // About 2 MB of history: 140 texts of 15,000 characters.
    for (let i = 0; i < 140; i++)
      send({ t: 'send', id: `seed${String(i).padStart(6, '0')}`, conv, body: { kind: 'text', text: `alpha ${i} ` + 'abcdefghij '.repeat(1360) } });
    await next((e) => e.t === 'ack' && e.id === 'seed000139');
  } else if (attack === 'fetch') {
    const data = randomBytes(256 * 1024);
    send({ t: 'upload', id: 'seedfile01', conv, name: 'blob.bin', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await next((e) => e.t === 'upload.ready');
    send({ t: 'chunk', id: 'seedfile01', index: 0, data: data.toString('base64') });
    const msg = await next((e) => e.t === 'msg' && (e.m as { id: string }).id === 'seedfile01');
    file = (msg.m as { body: { file: string } }).body.file;
  }
  const cursors: Record<string, number> = {};
  if (attack === 'sync') for (let i = 0; i < MAX_SYNC_CURSORS; i++) cursors[`r${String(i).padStart(12, '0')}`] = i;
  const frame = (i: number): object => {
    const rid = `flood${i}`;
    switch (attack) {
      case 'history':
        return { t: 'history', rid, conv };
      case 'fetch':
        return { t: 'fetch', rid, file, index: 0 };
      case 'search':
        return { t: 'search', rid, q: 'a' };
      case 'rooms':
        return { t: 'room.list', rid };
      default:
        return { t: 'sync', rid, cursors };
    }
  };
  const frames = Array.from({ length: count }, (_, i) => JSON.stringify(frame(i)));
  say({ event: 'seeded', frameBytes: frames[0].length });
  let sent = 0;
  let started = 0;
  let pacer: NodeJS.Timeout | undefined;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'go') {
      going = true;
      started = Date.now();
      // All of them in one write: the relay reads them in one go.
      const sock = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      sock.cork();
      for (const f of frames) ws.send(f);
      sock.uncork();
      sent = count;
      // Then 40 a second (the relay refills 50): the flood keeps up for as long as it runs.
      pacer = setInterval(() => {
        for (let k = 0; k < 4; k++) ws.send(frames[sent++ % count]);
      }, 100);
    } else if (line === 'stop') {
      clearInterval(pacer);
      const timer = setInterval(() => {
        if (answered < sent) return;
        clearInterval(timer);
        say({ event: 'done', sent, answered, errors, bytes, ms: Date.now() - started });
      }, 5);
    }
  }
}

/** Answers in a big frame, counted by their rid without parsing the frame. */
function countAnswers(data: Buffer): number {
  let n = 0;
  for (const key of ['"rid":"flood', '"ref":"flood']) for (let at = data.indexOf(key); at >= 0; at = data.indexOf(key, at + 1)) n++;
  return n;
}

main().catch((err) => {
  say({ event: 'error', message: (err as Error).message });
  process.exit(1);
});
