import type { MessageView } from '../../protocol/view';

/** One line of what a message says, for lists and announcements. */
export function messageGist(m: MessageView): string {
  const b = m.body;
  switch (b.kind) {
    case 'text':
      return (m.edited ?? b.text).replace(/\s+/g, ' ').trim();
    case 'snippet':
      return `${b.patch ? 'Changes to' : 'Code from'} ${b.path ?? 'a snippet'}${b.note ? ` — ${b.note.replace(/\s+/g, ' ')}` : ''}`;
    case 'file':
      return `File ${b.name}`;
    default:
      return '';
  }
}
