// Fan-out side by side: Parley's relay (durable: validated, sequenced, stored, acked) against a
// bare `ws` broadcast server, mosquitto (MQTT QoS 0 and 1) and ngircd (IRC), each pinned to
// core 0 with the load generator on core 1, 200-byte messages, one publisher and a room of
// receivers. Prints latency at fixed offered loads and the saturation point of each, with
// ratios to Parley, all from this one run. Run by bench/all.ts (`npm run bench`); BENCH_STEP_S sets
// the seconds per step (3 by default; 20 to match the reference runs).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type ServerKind } from './fanout/servers';

export interface Step {
  rate: number;
  sent: number;
  expected: number;
  received: number;
  p50: number;
  p99: number;
  max: number;
  genCpu: number;
  /** Connections the server closed during the step (a relay cuts off readers that fall too far behind). */
  closed: number;
}

export interface PeerResult {
  label: string;
  receivers: number;
  fixed: Step[];
  ramp: Step[];
  /** Highest deliveries/s held with nothing lost and p99 < 100 ms. */
  saturation: number;
  /** Why the ramp stopped. */
  stoppedBy: string;
}

const STEP_S = Number(process.env.BENCH_STEP_S ?? 3);
const SOURCE = join(__dirname, '..', '..', 'bench', 'fanout', 'loadgen.c');
const LOADGEN = join(__dirname, 'loadgen');

/** Builds the C load generator (bench/fanout/loadgen.c) when missing or older than its source. */
export function buildLoadgen(): void {
  if (existsSync(LOADGEN) && statSync(LOADGEN).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  mkdirSync(__dirname, { recursive: true });
  // -lcrypto: OpenSSL's Ed25519 for Parley's signed sign-in (libssl-dev, bench/install.sh).
  execFileSync('cc', ['-O2', '-Wall', '-o', LOADGEN, SOURCE, '-lcrypto'], { stdio: 'inherit' });
}

const passes = (s: Step) => s.received === s.expected && s.p99 < 100 && !s.closed;

/** Runs one load generator (pinned to core 1) through the given message rates; stops a ramp at its first failing step. */
async function drive(
  proto: string,
  port: number,
  receivers: number,
  rates: number[],
  isRamp: boolean,
  serverOutput: () => string = () => '',
): Promise<{ steps: Step[]; stoppedBy: string }> {
  const steps: Step[] = [];
  let stoppedBy = 'top of the ramp';
  // One generator process per step for the ramp, so a failed step (backlog) cannot spill into the next.
  const groups = isRamp ? rates.map((r) => [r]) : [rates];
  for (const group of groups) {
    const child = spawn('taskset', ['-c', '1', LOADGEN, proto, String(port), String(receivers), String(STEP_S), group.join(',')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`load generator (${proto}) failed with ${code}:\n${err}`);
    const got = out
      .split('\n')
      .filter((l) => l.startsWith('{"rate"'))
      .map((l) => JSON.parse(l) as Step);
    steps.push(...got);
    if (isRamp) {
      const s = got[0];
      if (s.genCpu > 90) {
        stoppedBy = `generator core at ${s.genCpu.toFixed(0)}% (step discarded)`;
        steps.pop();
        break;
      }
      if (!passes(s)) {
        const at = `at ${fmt(s.rate * receivers)}/s`;
        // Say why, when the server said (Parley's relay logs each cut-off with its reason).
        const why = serverOutput()
          .split('\n')
          .filter((l) => /cut off|terminating/.test(l))
          .map((l) => l.replace(/^\S+Z /, ''))
          .slice(-1)[0];
        stoppedBy = s.closed
          ? `server closed ${s.closed} connection(s) ${at}${why ? ` (${why})` : ''}`
          : s.received !== s.expected
            ? `${fmt(s.expected - s.received)} of ${fmt(s.expected)} not delivered within 3 s ${at}`
            : `p99 ${s.p99.toFixed(0)} ms ${at}`;
        break;
      }
    }
  }
  return { steps, stoppedBy };
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}k`;
  return n.toFixed(0);
}

export async function measurePeer(
  kind: ServerKind,
  proto: string,
  label: string,
  receivers: number,
  ramp: number[],
  relayScript?: string,
): Promise<PeerResult> {
  const server = await startServer(kind, relayScript ? { relayScript } : {});
  try {
    // Fixed offered loads: 1k, 10k and 100k deliveries/s.
    const fixedRates = [1_000, 10_000, 100_000].map((d) => d / receivers);
    const fixed = (await drive(proto, server.port, receivers, fixedRates, false)).steps;
    const r = await drive(
      proto,
      server.port,
      receivers,
      ramp.map((d) => Math.round(d / receivers)),
      true,
      server.output,
    );
    // One more step between the last rate held and the first one missed (the ramp climbs ×1.5).
    const held = r.steps.filter(passes);
    const last = held[held.length - 1];
    const missed = r.steps[r.steps.length - 1];
    if (last && missed && !passes(missed) && missed.rate > last.rate) {
      const mid = await drive(proto, server.port, receivers, [Math.round(Math.sqrt(last.rate * missed.rate))], true, server.output);
      r.steps.push(...mid.steps);
      if (mid.steps.length && !passes(mid.steps[0])) r.stoppedBy = mid.stoppedBy;
    }
    const good = r.steps.filter(passes);
    const saturation = good.length ? Math.max(...good.map((s) => s.rate * receivers)) : 0;
    return { label, receivers, fixed, ramp: r.steps, saturation, stoppedBy: r.stoppedBy };
  } finally {
    await server.stop();
  }
}

/** Offered deliveries/s for the saturation search: ×1.5 steps. */
export function rampFrom(start: number, top: number): number[] {
  const out: number[] = [];
  for (let d = start; d <= top; d *= 1.5) out.push(Math.round(d));
  return out;
}

export function fanoutTable(results: PeerResult[], base: PeerResult): string {
  const rows = results.map((r) => {
    const at = (d: number) => r.fixed.find((s) => Math.round(s.rate * r.receivers) === d);
    const lat = (d: number) => {
      const s = at(d);
      if (!s) return '–';
      const lost = s.expected - s.received;
      return `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} / ${s.max.toFixed(0)}${lost ? ` (lost ${lost})` : ''}`;
    };
    return [
      r.label,
      String(r.receivers),
      fmt(r.saturation),
      r === base ? '1.00' : (r.saturation / base.saturation).toFixed(2),
      lat(1_000),
      lat(10_000),
      lat(100_000),
      r.stoppedBy,
    ];
  });
  const header = ['server', 'room', 'saturation deliveries/s', '÷ Parley', 'p50/p99/max ms @1k/s', '@10k/s', '@100k/s', 'ramp stopped by'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
