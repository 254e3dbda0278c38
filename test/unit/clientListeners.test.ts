import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Views and commands listen to the window's client through Session.onClientEvent, which moves
// their listeners to the next client when one replaces it (sign-out, another team) and detaches
// them with the view. A listener put on a client directly outlives the swap and fires for a team
// the window has left. Only the session (and the ClientEvents it keeps) attach to a client.

const hostDir = join(__dirname, '..', '..', '..', 'src', 'host');
const ALLOWED = ['session.ts', 'clientEvents.ts'];

describe('listeners on the chat client in src/host', () => {
  it('only session.ts and clientEvents.ts call client.on; everything else uses session.onClientEvent', () => {
    const offenders: string[] = [];
    for (const file of readdirSync(hostDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !ALLOWED.includes(f))) {
      readFileSync(join(hostDir, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!/^\s*(\/\/|\*|\/\*)/.test(line) && /\bclient\(?\)?\??\.on\(/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
  });
});
