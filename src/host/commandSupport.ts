import type { ParleyClient } from '../client/client';
import type { Session } from './session';

/** Registers one command (commands.ts's `reg`: failures are logged and shown, see reportingFailure). */
export type Register = (id: string, fn: (...args: never[]) => unknown) => void;

/** The client, for commands that need a team joined. */
export function needClient(session: Pick<Session, 'client'>): ParleyClient {
  const c = session.client;
  if (!c) throw new Error('join or host a team first (Parley: Join Team…)');
  return c;
}
