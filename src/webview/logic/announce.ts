import type { MessageView } from '../../protocol/view';
import { messageGist } from './messageGist';

/** Longest gist read out for one message. */
const GIST_CHARS = 140;
/** More messages than this at once are read out as a count. */
const ONE_BY_ONE = 3;

/**
 * What a screen reader is told when messages arrive in the open conversation: each of a few by
 * its author and gist, more as a count with who sent them; nothing for one's own or for none.
 * (The message list itself is not a live region: it is windowed, and rows put back into it as
 * one scrolls would be read out again.)
 */
export function arrivalAnnouncement(arrived: readonly MessageView[], me: string | undefined, name: (id: string) => string): string | undefined {
  const theirs = arrived.filter((m) => m.author !== me && !m.deleted);
  if (theirs.length === 0) return undefined;
  if (theirs.length > ONE_BY_ONE) {
    const who = [...new Set(theirs.map((m) => name(m.author)))];
    return `${theirs.length} new messages from ${who.slice(0, 3).join(', ')}${who.length > 3 ? ` and ${who.length - 3} more` : ''}`;
  }
  return theirs
    .map((m) => {
      const gist = messageGist(m);
      return `${name(m.author)}: ${gist.length > GIST_CHARS ? `${gist.slice(0, GIST_CHARS - 1)}…` : gist || 'a message'}`;
    })
    .join('. ');
}
