import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { onCleanup, waitFor } from './helpers';

/**
 * Two hosts of the test's own, made with network namespaces joined by a veth pair: traffic
 * (multicast DNS included) between them never touches the machine's real interfaces.
 * Needs root and iproute2 (.ci/run installs it).
 */
export interface NetPair {
  a: { ns: string; ip: string };
  b: { ns: string; ip: string };
  /** Runs a Node script inside a namespace; output lines are collected. */
  node(ns: string, script: string, args: string[]): Peer;
}

export interface Peer {
  proc: ChildProcessWithoutNullStreams;
  lines: () => unknown[];
  send(line: string): void;
  /** Waits for an output line (JSON) that satisfies `pred`. */
  expect<T>(pred: (line: Record<string, unknown>) => T | undefined | false, what: string, ms?: number): Promise<T>;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export function makeNetPair(): NetPair {
  const id = `${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const subnet = `10.213.${process.pid % 250}`;
  const a = { ns: `parley-t${id}a`, ip: `${subnet}.1` };
  const b = { ns: `parley-t${id}b`, ip: `${subnet}.2` };
  try {
    ip('netns', 'add', a.ns);
  } catch (err) {
    throw new Error(`cannot create a network namespace (needs root and iproute2): ${(err as Error).message}`);
  }
  onCleanup(() => {
    for (const ns of [a.ns, b.ns]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  });
  ip('netns', 'add', b.ns);
  const va = `pv${id}a`.slice(0, 15);
  const vb = `pv${id}b`.slice(0, 15);
  ip('link', 'add', va, 'type', 'veth', 'peer', 'name', vb);
  ip('link', 'set', va, 'netns', a.ns);
  ip('link', 'set', vb, 'netns', b.ns);
  for (const [ns, dev, addr] of [
    [a.ns, va, a.ip],
    [b.ns, vb, b.ip],
  ] as const) {
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  return {
    a,
    b,
    node(ns, script, args) {
      const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args]);
      const lines: Record<string, unknown>[] = [];
      let buf = '';
      let errs = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            lines.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            lines.push({ text: line });
          }
        }
      });
      proc.stderr.on('data', (d: Buffer) => (errs += d.toString()));
      onCleanup(() => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      });
      return {
        proc,
        lines: () => lines,
        send: (line) => proc.stdin.write(`${line}\n`),
        expect: async (pred, what, ms = 15_000) => {
          try {
            return await waitFor(
              () => {
                for (let i = lines.length - 1; i >= 0; i--) {
                  const r = pred(lines[i]);
                  if (r) return r;
                }
                return undefined;
              },
              what,
              ms,
            );
          } catch (err) {
            throw new Error(`${(err as Error).message}\noutput: ${JSON.stringify(lines.slice(-5))}\nstderr: ${errs.slice(-2000)}`);
          }
        },
      };
    },
  };
}
