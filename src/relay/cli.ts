import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Relay, RELAY_VERSION } from './relay';
import { SqliteStore } from './sqliteStore';

const HELP = `parley-relay ${RELAY_VERSION} — the Parley chat relay

Usage: parley-relay [options]

  --host <address>      address to listen on (default 127.0.0.1, loopback only;
                        0.0.0.0 or a LAN address shares it on the network)
  --port <n>            port (default 7420; 0 picks a free one)
  --data <dir>          where history is kept (default ./parley-data)
  --secret <s>          team secret clients must present (or PARLEY_SECRET);
                        required when listening beyond loopback
  --secret-file <path>  read the team secret from a file
  --allow-origin <o>    allow browser connections from this Origin (repeatable)
  --retain <n>          keep only the newest n messages per conversation
                        (default: keep everything)
  --version             print the version
  -h, --help            this text
`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '7420' },
        data: { type: 'string', default: './parley-data' },
        secret: { type: 'string' },
        'secret-file': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        retain: { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`parley-relay: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${RELAY_VERSION}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`parley-relay: --port must be a whole number from 0 to 65535, not ${values.port}\n`);
    return 2;
  }
  const retain = values.retain === undefined ? 0 : Number(values.retain);
  if (!Number.isInteger(retain) || retain < 0) {
    process.stderr.write(`parley-relay: --retain must be a whole number, not ${values.retain}\n`);
    return 2;
  }
  let secret = values.secret ?? process.env.PARLEY_SECRET;
  if (values['secret-file']) secret = readFileSync(values['secret-file'], 'utf8').trim();
  if (secret !== undefined && secret.length < 8) {
    process.stderr.write('parley-relay: the team secret must be at least 8 characters\n');
    return 2;
  }
  const host = values.host;
  if (!isLoopback(host) && secret === undefined) {
    process.stderr.write(`parley-relay: listening on ${host} makes the relay reachable from the network; give a team secret with --secret, --secret-file or PARLEY_SECRET\n`);
    return 2;
  }
  const file = join(resolve(values.data), 'relay.sqlite');
  let store: SqliteStore;
  try {
    store = new SqliteStore(file);
  } catch (err) {
    process.stderr.write(`parley-relay: cannot open ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const relay = new Relay({ store, host, port, secret, allowedOrigins: values['allow-origin'], retain, log });
  try {
    const addr = await relay.listen();
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    log(`Parley relay ${RELAY_VERSION} listening on ws://${shown}:${addr.port} — data in ${file}${secret ? ' — team secret required' : ''}`);
  } catch (err) {
    store.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') process.stderr.write(`parley-relay: port ${port} on ${host} is already in use; choose another with --port\n`);
    else process.stderr.write(`parley-relay: cannot listen on ${host}:${port}: ${e.message}\n`);
    return 1;
  }
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      void relay.close('relay shutting down').then(() => {
        store.close();
        log('stopped; history is saved');
        done();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
