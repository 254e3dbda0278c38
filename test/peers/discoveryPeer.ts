// A process run inside a test network namespace (see test/netns.ts): hosts a relay that
// announces itself, or browses for teams and joins one. It prints JSON lines and takes
// commands on stdin, so the test in the parent drives both hosts.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { TeamBrowser } from '../../src/infra/discovery';
import { HostedRelay } from '../../src/relay/hostedRelay';
import { makeClient, cleanup, tempDir } from '../helpers';

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const [mode, iface, arg] = process.argv.slice(2);
const SECRET = 'netns team secret';

async function main(): Promise<void> {
  const commands = createInterface({ input: process.stdin });
  if (mode === 'host') {
    const h = await HostedRelay.start({
      dataDir: join(tempDir(), 'relay'),
      host: '0.0.0.0',
      port: 7420,
      secret: SECRET,
      tls: true,
      discovery: { team: arg, interface: iface },
    });
    say({ event: 'hosting', port: h.port, fingerprint: h.fingerprint, invites: h.invites() });
    for await (const line of commands) {
      if (line === 'stop') {
        await h.stop();
        say({ event: 'stopped' });
        process.exit(0);
      }
    }
  } else if (mode === 'browse') {
    const browser = new TeamBrowser({ interface: iface, intervalMs: 500 });
    browser.on('change', (teams) => say({ event: 'teams', teams }));
    for await (const line of commands) {
      const [cmd, url, fp] = line.split(' ');
      if (cmd === 'join') {
        const c = makeClient(url, 'bob', { secret: SECRET, fingerprint: fp });
        c.client.on('state', (s, d) => say({ event: 'state', state: s, detail: d }));
        c.client.start();
      } else if (cmd === 'stop') {
        await browser.stop();
        await cleanup();
        process.exit(0);
      }
    }
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
