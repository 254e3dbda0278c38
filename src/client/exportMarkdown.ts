// A conversation as a Markdown document: a heading per day, each message with its author and
// time, snippets as fenced code with where they came from, files by name and size, edits,
// deletions and reactions as everyone saw them.
import type { ParleyClient } from './client';
import type { CachedMessage } from './clientStore';
import { formatBytes } from '../protocol/formatBytes';
import { threadOf } from '../protocol/wire';

export interface ExportOptions {
  /** The conversation's title as the view shows it ("#general", "bob"). */
  title: string;
  /** Member id → display name. */
  names: ReadonlyMap<string, string>;
  /** IANA time zone for dates and times; the machine's own when absent. */
  timeZone?: string;
  /** When the export was made (ms since epoch). */
  now: number;
  /** Said under the heading when the export may lack older messages (offline, retention). */
  incomplete?: string;
}

/** A code fence longer than any run of backticks inside `code`. */
function fence(code: string): string {
  let longest = 0;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function body(m: CachedMessage): string {
  if (m.deleted) return '_message deleted_';
  const b = m.body;
  switch (b.kind) {
    case 'text':
      return m.edited !== undefined ? `${m.edited} _(edited)_` : b.text;
    case 'snippet': {
      const where = `${b.path ?? 'snippet'}:${b.lines.start}${b.lines.end !== b.lines.start ? `-${b.lines.end}` : ''}`;
      const ref = [b.git?.remote, b.git?.branch, b.git?.commit?.slice(0, 12)].filter(Boolean).join(' · ');
      const f = fence(b.code);
      const head = `${b.patch ? 'Changes to' : 'Code from'} \`${where}\`${ref ? ` (${ref})` : ''}`;
      return [head, ...(b.note ? ['', b.note] : []), '', `${f}${b.patch ? 'diff' : b.lang}`, b.code, f].join('\n');
    }
    case 'topic':
      return b.text ? `_set the topic: ${b.text}_` : '_cleared the topic_';
    case 'archive':
      return b.on ? '_archived the room_' : '_unarchived the room_';
    case 'file':
      return `File: **${b.name}** (${formatBytes(b.size)}, sha256 \`${b.sha256.slice(0, 16)}…\`)${b.note ? `\n\n${b.note}` : ''}`;
    default:
      return `_(${b.kind})_`;
  }
}

/** The Markdown document for `messages` (oldest first, as the cache lists them). */
export function conversationMarkdown(messages: readonly CachedMessage[], opts: ExportOptions): string {
  const tz = opts.timeZone ? { timeZone: opts.timeZone } : {};
  const day = new Intl.DateTimeFormat('en-CA', { ...tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  const time = new Intl.DateTimeFormat('en-GB', { ...tz, hour: '2-digit', minute: '2-digit', hour12: false });
  const name = (id: string) => opts.names.get(id) ?? 'unknown member';
  const out = [
    `# ${opts.title}`,
    '',
    `Exported from Parley on ${day.format(opts.now)} at ${time.format(opts.now)}: ${messages.length} message${messages.length === 1 ? '' : 's'}.`,
  ];
  if (opts.incomplete) out.push('', `> ${opts.incomplete}`);
  // Thread replies follow their root, quoted; a reply whose root is not in the export stays in place.
  const present = new Set(messages.map((m) => m.seq));
  const replies = new Map<number, CachedMessage[]>();
  for (const m of messages) {
    const root = threadOf(m.body);
    if (root !== undefined && present.has(root)) replies.set(root, [...(replies.get(root) ?? []), m]);
  }
  const write = (m: CachedMessage, quote: string) => {
    const lines = [`**${name(m.author)}** · ${time.format(m.ts)}${quote ? ' · in the thread' : ''}${m.pinned ? ' · 📌 pinned' : ''}`, '', body(m)];
    if (m.reactions?.length && !m.deleted) lines.push('', m.reactions.map((r) => `${r.emoji} ${r.users.length} (${r.users.map(name).join(', ')})`).join(' · '));
    out.push(
      quote.trimEnd(),
      ...(quote
        ? lines
            .join('\n')
            .split('\n')
            .map((l) => (quote + l).trimEnd())
        : lines),
    );
  };
  let lastDay = '';
  for (const m of messages) {
    const root = threadOf(m.body);
    if (root !== undefined && present.has(root)) continue;
    const d = day.format(m.ts);
    if (d !== lastDay) {
      out.push('', `## ${d}`);
      lastDay = d;
    }
    write(m, '');
    for (const r of replies.get(m.seq) ?? []) write(r, '> ');
  }
  return `${out.join('\n')}\n`;
}

/**
 * Pages a conversation's history back to its first message, so the cache holds all of it.
 * Returns why it could not, when it could not (offline, or the relay kept less).
 */
export async function loadAllHistory(client: ParleyClient, conv: string, maxPages = 10_000): Promise<string | undefined> {
  for (let i = 0; i < maxPages; i++) {
    const lowest = client.store.lowestSeq(conv);
    if (lowest === 1) return undefined;
    if (client.state !== 'connected') return 'Older messages could not be loaded (not connected to the relay); this export has only what this window had.';
    const page = await client.history(conv, lowest);
    if (!page.more || page.messages.length === 0)
      return client.store.lowestSeq(conv) === 1 || (client.conversation(conv)?.head ?? 0) === 0
        ? undefined
        : 'The relay no longer keeps the oldest messages (retention); they are not in this export.';
  }
  return 'The history was too long to load completely.';
}
