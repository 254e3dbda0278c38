// The "bare ws" peer: a plain `ws` broadcast server that resends each received buffer to every
// other connection, one send per delivery. What a chat server built the obvious way does.
//   node out/bench/fanout/wsBroadcast.js <port>
import { WebSocketServer, type WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false, clientTracking: true });
wss.on('connection', (ws: WebSocket) => {
  ws.on('message', (data, isBinary) => {
    // A load generator's publisher announces itself with "pub"; that frame is not a message.
    if (!isBinary && (data as Buffer).length === 3 && data.toString() === 'pub') return;
    for (const c of wss.clients) if (c !== ws) c.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  const a = wss.address();
  process.stdout.write(`listening ${typeof a === 'string' || a === null ? String(a) : a.port}\n`);
});
