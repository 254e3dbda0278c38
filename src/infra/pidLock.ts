import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Whether a process with this pid is alive on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Holder = { pid: number } & Record<string, unknown>;

function readHolder(file: string): Holder | undefined {
  try {
    const raw = readFileSync(file, 'utf8');
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'number') return { pid: parsed };
    if (parsed && typeof parsed === 'object' && typeof (parsed as Holder).pid === 'number') return parsed as Holder;
    return { pid: 0 };
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : { pid: 0 };
  }
}

/**
 * Takes `file` as an exclusive lock for `pid`. Creation is atomic (O_EXCL); a lock whose holder
 * is dead is moved aside with a rename (only one contender's rename of it succeeds) and the
 * creation retried, so two processes racing for a stale lock never both get it.
 */
function acquire(file: string, info: Record<string, unknown>, pid: number): { ok: true } | { ok: false; holder: Holder } {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify({ ...info, pid }));
      } finally {
        closeSync(fd);
      }
      return { ok: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (!holder) continue; // released meanwhile
    if (holder.pid === pid) {
      // Ours already (same process asking again): refresh the info.
      writeFileAtomic(`${file}.${pid}.tmp`, file, JSON.stringify({ ...info, pid }));
      return { ok: true };
    }
    if (holder.pid !== 0 && pidAlive(holder.pid)) return { ok: false, holder };
    if (holder.pid === 0 && ageMs(file) < 1000) {
      // Just created and not written yet by its (living) creator: look again shortly.
      sleepSync(10);
      continue;
    }
    // Stale. Take it over inside a guard (an atomic mkdir), re-checking there, so two contenders
    // never both remove "the stale lock" when one of them already replaced it with its own.
    withGuard(`${file}.guard`, () => {
      const again = readHolder(file);
      if (again && again.pid === holder.pid && (again.pid === 0 ? ageMs(file) >= 1000 : !pidAlive(again.pid))) rmSync(file, { force: true });
    });
  }
  const holder = readHolder(file) ?? { pid: 0 };
  return { ok: false, holder };
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withGuard(guard: string, fn: () => void): void {
  for (let i = 0; i < 200; i++) {
    try {
      mkdirSync(guard);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A guard left by a process that died inside the few lines below is removed after 2 s.
      try {
        if (Date.now() - statSync(guard).mtimeMs > 2000) rmdirSync(guard);
      } catch {
        /* gone already */
      }
      sleepSync(5);
      continue;
    }
    try {
      fn();
    } finally {
      rmdirSync(guard);
    }
    return;
  }
}

function writeFileAtomic(tmp: string, file: string, text: string): void {
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function releaser(file: string, pid: number): () => void {
  return () => {
    if (readHolder(file)?.pid === pid) rmSync(file, { force: true });
  };
}

/**
 * Claims the lowest free numbered slot in `dir` for this process. A slot is free when its lock
 * file names no living process; a window reload (new extension host process) therefore gets its
 * old slot, and its cache and outbox, back. Two windows open at once get different slots.
 */
export function claimSlot(dir: string, base: string, pid = process.pid, max = 32): { slot: number; release(): void } {
  for (let slot = 0; slot < max; slot++) {
    const lock = join(dir, `${base}-${slot}.lock`);
    if (acquire(lock, {}, pid).ok) return { slot, release: releaser(lock, pid) };
  }
  throw new Error(`more than ${max} windows are using ${dir}`);
}

/**
 * Takes an exclusive lock file holding `{pid, ...info}` unless a living process holds it.
 * Returns a release function, or the holder's info when it is taken.
 */
export function tryLock<T extends object>(
  file: string,
  info: T,
  pid = process.pid,
): { ok: true; release(): void } | { ok: false; holder: T & { pid: number } } {
  const r = acquire(file, info as Record<string, unknown>, pid);
  if (!r.ok) return { ok: false, holder: r.holder as T & { pid: number } };
  return { ok: true, release: releaser(file, pid) };
}
