import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { interfaceAddress } from '../core/discovery';
import { formatFingerprint } from '../core/fingerprint';
import { inviteLink } from '../core/invite';
import { UserName } from '../protocol/wire';
import { isLoopback } from './auth';
import { HostedRelay } from './hostedRelay';
import { RELAY_VERSION } from './relay';

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
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000)) {
    process.stderr.write(`parley-relay: --rate must be a whole number from 1 to 1000000, not ${values.rate}\n`);
    return 2;
  }
  const maxFileMb = values['max-file-mb'] === undefined ? undefined : Number(values['max-file-mb']);
  if (maxFileMb !== undefined && (!Number.isFinite(maxFileMb) || maxFileMb <= 0 || maxFileMb > 1024)) {
    process.stderr.write(`parley-relay: --max-file-mb must be a number above 0 and at most 1024, not ${values['max-file-mb']}\n`);
    return 2;
  }
  let secret = values.secret ?? process.env.PARLEY_SECRET;
  if (values['secret-file']) secret = readFileSync(values['secret-file'], 'utf8').trim();
  if (secret !== undefined && secret.length < 8) {
    process.stderr.write('parley-relay: the team secret must be at least 8 characters\n');
    return 2;
  }
  for (const u of values['public-url'] ?? []) {
    if (!/^wss?:\/\/[^/\s]+\/?$/i.test(u)) {
      process.stderr.write(`parley-relay: --public-url must be a ws:// or wss:// address (scheme, host and port), not ${u}\n`);
      return 2;
    }
  }
  if (values.owner !== undefined && !UserName.safeParse(values.owner.normalize('NFC').trim()).success) {
    process.stderr.write(`parley-relay: --owner must be a member's name (letters, digits, . _ -), not ${JSON.stringify(values.owner)}\n`);
    return 2;
  }
  const host = values.host;
  if (!isLoopback(host) && secret === undefined) {
    process.stderr.write(`parley-relay: listening on ${host} makes the relay reachable from the network; give a team secret with --secret, --secret-file or PARLEY_SECRET\n`);
    return 2;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    process.stderr.write('parley-relay: --cert and --key go together\n');
    return 2;
  }
  let tls: boolean | { key: string; cert: string } = values.tls === true;
  if (values.cert && values.key) {
    try {
      tls = { cert: readFileSync(values.cert, 'utf8'), key: readFileSync(values.key, 'utf8') };
    } catch (err) {
      process.stderr.write(`parley-relay: cannot read the certificate or key: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const team = values.team ?? 'Parley team';
  if (values['mdns-interface'] && !values.mdns) {
    process.stderr.write('parley-relay: --mdns-interface needs --mdns\n');
    return 2;
  }
  if (values.mdns) {
    try {
      interfaceAddress(values['mdns-interface']);
    } catch (err) {
      process.stderr.write(`parley-relay: --mdns-interface: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const dataDir = resolve(values.data);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  let hosted: HostedRelay;
  try {
    hosted = await HostedRelay.start({
      dataDir,
      host,
      port,
      secret,
      tls,
      retain,
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
        if (!values.invite) return log('an admin rotated the team secret: the old one admits no new member (the admin has the new invite; run with --invite to have it printed here)');
        log('an admin rotated the team secret; new invite:');
        for (const inv of hosted.invites(team)) log(`invite: ${inviteLink(inv)}`);
      },
      log,
      ...(values.mdns ? { discovery: { team, interface: values['mdns-interface'] } } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') process.stderr.write(`parley-relay: port ${port} on ${host} is already in use; choose another with --port\n`);
    else if (e.code === 'EADDRNOTAVAIL') process.stderr.write(`parley-relay: ${host} is not an address of this machine\n`);
    else process.stderr.write(`parley-relay: cannot start on ${host}:${port}: ${e.message}\n`);
    return 1;
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  log(
    `Parley relay ${RELAY_VERSION} listening on ${hosted.secure ? 'wss' : 'ws'}://${shown}:${hosted.port} — data in ${join(dataDir, 'relay.sqlite')}${secret ? ' — team secret required' : ''}`,
  );
  if (hosted.fingerprint) log(`certificate SHA-256 fingerprint: ${formatFingerprint(hosted.fingerprint)}`);
  if (hosted.announcing) log(`announcing "${team}" on the local network${values['mdns-interface'] ? ` (interface ${values['mdns-interface']})` : ''}`);
  if (values.invite) for (const inv of hosted.invites(team)) log(`invite: ${inviteLink(inv)}`);
  await new Promise<void>((done) => {
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
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
