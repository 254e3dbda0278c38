import type { ConnectionView } from '../../protocol/view';

// Why joining failed, said under the field it concerns, with what to do next. The reasons are
// the connection's detail strings (client/, relay/): "the name ada belongs to
// another member", "wrong or missing team secret", "bad relay address …", "retrying in 2.5 s".

export type JoinField = 'relayUrl' | 'name' | 'secret';

export interface JoinError {
  field: JoinField;
  message: string;
}

/**
 * The error to show on the join form for the connection's state, or undefined when there is
 * none (signed out, connecting for the first time).
 */
export function joinError(c: Pick<ConnectionView, 'state' | 'detail' | 'relayUrl'>, typedName = ''): JoinError | undefined {
  const detail = (c.detail ?? '').trim().replace(/\.$/, '');
  const relay = c.relayUrl ? ` ${c.relayUrl}` : ' the relay';
  if (c.state === 'reconnecting') {
    const retry = /^retrying in /i.test(detail) ? ` (${detail})` : detail ? ` (${detail})` : '';
    return { field: 'relayUrl', message: `Cannot reach${relay}${retry}. Check the address, and that the relay is running and reachable from this machine.` };
  }
  if (c.state !== 'failed') return undefined;
  const taken = /^the name (.+) belongs to another member/i.exec(detail) ?? (/name[_ ]taken/i.test(detail) ? ['', typedName] : null);
  if (taken) {
    const who = taken[1] ? `“${taken[1]}”` : 'This name';
    return {
      field: 'name',
      message: `${who} is taken by another member of this team. Choose another name — or, if that member is you on another machine, add this one as a device: run "Parley: Add a Device…" where you are signed in, then "Parley: Sign In with a Device Code…" here.`,
    };
  }
  if (/^bad name\b|bad_name/i.test(detail)) return { field: 'name', message: `The relay refused this name: ${detail.replace(/^bad name:\s*/i, '')}.` };
  if (/secret|bad_secret|\b401\b/i.test(detail)) {
    return { field: 'secret', message: 'Wrong or missing team secret. Ask whoever hosts the relay for it (it is the same for the whole team).' };
  }
  if (/^bad relay address/i.test(detail)) return { field: 'relayUrl', message: `That address does not work: ${detail.replace(/^bad relay address\s*/i, '')}` };
  return { field: 'relayUrl', message: `Could not join${relay}: ${detail || 'the relay refused the connection'}.` };
}
