import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Claims the lowest free numbered slot in `dir` for this process. A slot is free when its lock
 * file names no living process; a window reload (new extension host process) therefore gets its
 * old slot, and its cache and outbox, back. Two windows open at once get different slots.
 */
export function claimSlot(dir: string, base: string, pid = process.pid, max = 32): { slot: number; release(): void } {
  mkdirSync(dir, { recursive: true });
  for (let slot = 0; slot < max; slot++) {
    const lock = join(dir, `${base}-${slot}.lock`);
    let owner = 0;
    try {
      owner = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      owner = 0;
    }
    if (owner === pid || !pidAlive(owner)) {
      writeFileSync(lock, String(pid));
      // Re-read: a racing window may have written between our read and write.
      if (Number(readFileSync(lock, 'utf8').trim()) !== pid) continue;
      return {
        slot,
        release: () => {
          try {
            if (Number(readFileSync(lock, 'utf8').trim()) === pid) rmSync(lock);
          } catch {
            /* already gone */
          }
        },
      };
    }
  }
  throw new Error(`more than ${max} windows are using ${dir}`);
}

/**
 * Takes an exclusive lock file holding `{pid, ...info}` unless a living process holds it.
 * Returns a release function, or the holder's info when it is taken.
 */
export function tryLock<T extends object>(file: string, info: T, pid = process.pid): { ok: true; release(): void } | { ok: false; holder: T & { pid: number } } {
  mkdirSync(join(file, '..'), { recursive: true });
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as T & { pid: number };
    if (holder.pid !== pid && pidAlive(holder.pid)) return { ok: false, holder };
  } catch {
    /* no lock or unreadable: free */
  }
  writeFileSync(file, JSON.stringify({ ...info, pid }));
  const mine = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
  if (mine.pid !== pid) return { ok: false, holder: mine as T & { pid: number } };
  return {
    ok: true,
    release: () => {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid === pid) rmSync(file);
      } catch {
        /* gone */
      }
    },
  };
}
