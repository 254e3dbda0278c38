import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { interfaceAddress } from '../infra/discovery';
import { formatFingerprint } from '../infra/fingerprint';
import { inviteLink } from '../infra/invite';
import { UserName } from '../protocol/wire';
import { isLoopback } from './auth';
import { HostedRelay } from './hostedRelay';
import { RELAY_VERSION } from './version';

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
  --public-url <url>    an address clients use that is not this machine's own
                        (a reverse proxy, a DNS name); sign-ins are signed for
                        the address dialled, so name each one (repeatable)
  --retain <n>          keep only the newest n messages per conversation
                        (default: keep everything)
  --rate <n>            frames per second one connection may send (default 50,
                        bursts of 6×); raise it for bots and benchmarks
  --max-file-mb <n>     largest file members may send, in MB (default 10)
  --tls                 serve wss:// with a self-signed certificate, made on
                        first use and kept in the data folder; clients pin
                        its fingerprint (printed at start, part of invites)
  --cert <path> --key <path>
                        serve wss:// with this certificate and key instead
  --team <name>         the team's name in invites and on the network
  --owner <name>        the member who owns the team (makes admins; see
                        docs/PROTOCOL.md "Roles"); default: its first member
  --mdns                announce the team on the local network (DNS-SD)
  --mdns-interface <i>  announce only on this interface (name, IPv4 address
                        or "loopback"); default: all
  --invite              print an invite (contains the team secret) at start
  --version             print the version
  -h, --help            this text
`;

/** Ends the CLI with an exit code and a line on stderr (`parley-relay: …`). */
class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function usage(message: string): never {
  throw new Exit(2, message);
}

function parse() {
  try {
    return parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '7420' },
        data: { type: 'string', default: './parley-data' },
        secret: { type: 'string' },
        'secret-file': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'public-url': { type: 'string', multiple: true },
        retain: { type: 'string' },
        rate: { type: 'string' },
        'max-file-mb': { type: 'string' },
        tls: { type: 'boolean' },
        cert: { type: 'string' },
        key: { type: 'string' },
        team: { type: 'string' },
        owner: { type: 'string' },
        mdns: { type: 'boolean' },
        'mdns-interface': { type: 'string' },
        invite: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    // The usage follows the complaint (HELP ends with its own newline).
    return usage(`${(err as Error).message}\n\n${HELP.slice(0, -1)}`);
  }
}

type Values = ReturnType<typeof parse>;

/** What the relay is started with, checked. */
interface Settings {
  host: string;
  port: number;
  retain: number;
  rate: number | undefined;
  maxFileMb: number | undefined;
  secret: string | undefined;
  tls: boolean | { key: string; cert: string };
  team: string;
  dataDir: string;
}

/** The numeric options, checked. */
function numbers(values: Values): Pick<Settings, 'port' | 'retain' | 'rate' | 'maxFileMb'> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be a whole number from 0 to 65535, not ${values.port}`);
  const retain = values.retain === undefined ? 0 : Number(values.retain);
  if (!Number.isInteger(retain) || retain < 0) usage(`--retain must be a whole number, not ${values.retain}`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000))
    usage(`--rate must be a whole number from 1 to 1000000, not ${values.rate}`);
  const maxFileMb = values['max-file-mb'] === undefined ? undefined : Number(values['max-file-mb']);
  if (maxFileMb !== undefined && (!Number.isFinite(maxFileMb) || maxFileMb <= 0 || maxFileMb > 1024)) {
    usage(`--max-file-mb must be a number above 0 and at most 1024, not ${values['max-file-mb']}`);
  }
  return { port, retain, rate, maxFileMb };
}

/** Who may join and from where: the secret, public addresses, the owner. */
function access(values: Values): string | undefined {
  let secret = values.secret ?? process.env.PARLEY_SECRET;
  if (values['secret-file']) secret = readFileSync(values['secret-file'], 'utf8').trim();
  if (secret !== undefined && secret.length < 8) usage('the team secret must be at least 8 characters');
  for (const u of values['public-url'] ?? []) {
    if (!/^wss?:\/\/[^/\s]+\/?$/i.test(u)) usage(`--public-url must be a ws:// or wss:// address (scheme, host and port), not ${u}`);
  }
  if (values.owner !== undefined && !UserName.safeParse(values.owner.normalize('NFC').trim()).success) {
    usage(`--owner must be a member's name (letters, digits, . _ -), not ${JSON.stringify(values.owner)}`);
  }
  const host = values.host;
  if (!isLoopback(host) && secret === undefined) {
    usage(`listening on ${host} makes the relay reachable from the network; give a team secret with --secret, --secret-file or PARLEY_SECRET`);
  }
  return secret;
}

/** wss:// or not, and with which certificate; the announcement's interface. */
function transport(values: Values): Settings['tls'] {
  if ((values.cert === undefined) !== (values.key === undefined)) usage('--cert and --key go together');
  let tls: Settings['tls'] = values.tls === true;
  if (values.cert && values.key) {
    try {
      tls = { cert: readFileSync(values.cert, 'utf8'), key: readFileSync(values.key, 'utf8') };
    } catch (err) {
      throw new Exit(1, `cannot read the certificate or key: ${(err as Error).message}`);
    }
  }
  if (values['mdns-interface'] && !values.mdns) usage('--mdns-interface needs --mdns');
  if (values.mdns) {
    try {
      interfaceAddress(values['mdns-interface']);
    } catch (err) {
      usage(`--mdns-interface: ${(err as Error).message}`);
    }
  }
  return tls;
}

function settings(values: Values): Settings {
  const nums = numbers(values);
  const secret = access(values);
  const tls = transport(values);
  return { ...nums, host: values.host, secret, tls, team: values.team ?? 'Parley team', dataDir: resolve(values.data) };
}

async function start(s: Settings, values: Values, log: (line: string) => void): Promise<HostedRelay> {
  const { host, port, rate, maxFileMb, team } = s;
  try {
    const hosted: HostedRelay = await HostedRelay.start({
      dataDir: s.dataDir,
      host,
      port,
      secret: s.secret,
      tls: s.tls,
      retain: s.retain,
      ...(rate || maxFileMb
        ? {
            limits: {
              ...(rate ? { ratePerSecond: rate, rateBurst: rate * 6 } : {}),
              ...(maxFileMb ? { maxFileBytes: Math.round(maxFileMb * 1024 * 1024) } : {}),
            },
          }
        : {}),
      allowedOrigins: values['allow-origin'],
      publicUrls: values['public-url'],
      ...(values.owner !== undefined ? { owner: values.owner } : {}),
      // An admin rotated the secret: with --invite the new invite is printed, as at start.
      onSecret: () => {
        if (!values.invite)
          return log(
            'an admin rotated the team secret: the old one admits no new member (the admin has the new invite; run with --invite to have it printed here)',
          );
        log('an admin rotated the team secret; new invite:');
        for (const inv of hosted.invites(team)) log(`invite: ${inviteLink(inv)}`);
      },
      log,
      ...(values.mdns ? { discovery: { team, interface: values['mdns-interface'] } } : {}),
    });
    return hosted;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Exit(1, `port ${port} on ${host} is already in use; choose another with --port`);
    if (e.code === 'EADDRNOTAVAIL') throw new Exit(1, `${host} is not an address of this machine`);
    throw new Exit(1, `cannot start on ${host}:${port}: ${e.message}`);
  }
}

function started(hosted: HostedRelay, s: Settings, values: Values, log: (line: string) => void): void {
  const shown = s.host.includes(':') ? `[${s.host}]` : s.host;
  log(
    `Parley relay ${RELAY_VERSION} listening on ${hosted.secure ? 'wss' : 'ws'}://${shown}:${hosted.port} — data in ${join(s.dataDir, 'relay.sqlite')}${s.secret ? ' — team secret required' : ''}`,
  );
  if (hosted.fingerprint) log(`certificate SHA-256 fingerprint: ${formatFingerprint(hosted.fingerprint)}`);
  if (hosted.announcing) log(`announcing "${s.team}" on the local network${values['mdns-interface'] ? ` (interface ${values['mdns-interface']})` : ''}`);
  if (values.invite) for (const inv of hosted.invites(s.team)) log(`invite: ${inviteLink(inv)}`);
}

/** Runs until SIGINT or SIGTERM, then stops the relay (history saved). */
function untilSignal(hosted: HostedRelay, log: (line: string) => void): Promise<void> {
  return new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      void hosted.stop('relay shutting down').then(() => {
        log('stopped; history is saved');
        done();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

async function main(): Promise<number> {
  try {
    const values = parse();
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values.version) {
      process.stdout.write(`${RELAY_VERSION}\n`);
      return 0;
    }
    const s = settings(values);
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const hosted = await start(s, values, log);
    started(hosted, s, values, log);
    await untilSignal(hosted, log);
    return 0;
  } catch (err) {
    if (!(err instanceof Exit)) throw err;
    process.stderr.write(`parley-relay: ${err.message}\n`);
    return err.code;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
