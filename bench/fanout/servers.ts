// Starts each server of the fan-out bench pinned to core 0 (taskset -c 0), on 127.0.0.1 only,
// with its data and configuration in a temp folder, and stops it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ServerKind = 'parley' | 'ws' | 'mosquitto' | 'ngircd';

export interface RunningServer {
  kind: ServerKind;
  port: number;
  pid: number;
  /** What the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const root = join(__dirname, '..', '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForPort(port: number, child: ChildProcess, logs: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`server did not open port ${port}:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** BENCH_RELAY_NODE_ARGS: extra node flags for Parley's relay, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to profile it. */
function nodeArgs(): string[] {
  return (process.env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
}

/** `relayScript`: another build of Parley's relay to start instead of dist/relay.js (bench/beside.ts). */
export async function startServer(kind: ServerKind, opts: { core?: number; relayScript?: string } = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `parley-bench-${kind}-`));
  const port = await freePort();
  let cmd: string[];
  switch (kind) {
    case 'parley':
      cmd = [process.execPath, ...nodeArgs(), opts.relayScript ?? join(root, 'dist', 'relay.js'), '--port', String(port), '--data', dir, '--rate', '1000000'];
      break;
    case 'ws':
      cmd = [process.execPath, join(root, 'out', 'bench', 'fanout', 'wsBroadcast.js'), String(port)];
      break;
    case 'mosquitto':
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence false',
          'set_tcp_nodelay true',
          // No queue limits: slow readers (every 5 ms) must not lose QoS 1 messages to a cap.
          'max_queued_messages 0',
          'max_inflight_messages 0',
          'log_dest stderr',
          'log_type error',
        ].join('\n') + '\n',
      );
      cmd = ['/usr/sbin/mosquitto', '-c', join(dir, 'mosquitto.conf')];
      break;
    case 'ngircd':
      writeFileSync(
        join(dir, 'ngircd.conf'),
        [
          '[Global]',
          'Name = bench.parley.invalid',
          'Info = Parley bench peer',
          'Listen = 127.0.0.1',
          `Ports = ${port}`,
          `PidFile = ${join(dir, 'ngircd.pid')}`,
          '[Limits]',
          'MaxConnections = 0',
          'MaxConnectionsIP = 0',
          'MaxJoins = 0',
          'MaxPenaltyTime = 0',
          'PingTimeout = 600',
          'PongTimeout = 600',
          '[Options]',
          'DNS = no',
          'Ident = no',
          'PAM = no',
          'OperCanUseMode = yes',
          '[Operator]',
          'Name = bench',
          'Password = bench',
        ].join('\n') + '\n',
      );
      cmd = ['/usr/sbin/ngircd', '--nodaemon', '--config', join(dir, 'ngircd.conf')];
      break;
  }
  const child = spawn('taskset', ['-c', String(opts.core ?? 0), ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind, port, pid: child.pid!, output: () => out, stop };
}
