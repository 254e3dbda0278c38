import { SentEmoji } from '../../protocol/wire';
import { ask } from '../messages';
import type { ViewHandlers, ViewHost } from './viewHost';

type MessageHandlers = Pick<ViewHandlers, 'send' | 'edit' | 'delete' | 'react' | 'pin' | 'sendFile' | 'retry' | 'discard' | 'read' | 'typing' | 'draft'>;

/**
 * Writing: what the composer and a message's actions post. Each goes to the client (and its
 * outbox) when there is one; without a client (signed out meanwhile) it is dropped, as the view
 * that posted it is about to show the join form.
 */
export function messageHandlers(host: ViewHost): MessageHandlers {
  const client = () => host.session.client;
  return {
    send: (msg) => client()?.send(msg.conv, { kind: 'text', text: msg.text, ...(msg.thread !== undefined ? { thread: msg.thread } : {}) }),
    edit: (msg) => client()?.send(msg.conv, { kind: 'edit', target: msg.target, text: msg.text }),
    delete: async (msg) => {
      // Taken before the question: a client that replaces it meanwhile (another team) must not get this.
      const c = client();
      const ok = await ask('warning', 'Delete this message for everyone?', { modal: true }, 'Delete');
      if (ok === 'Delete') c?.send(msg.conv, { kind: 'delete', target: msg.target });
    },
    react: (msg) => {
      // A look-alike stored before relays checked emoji can be taken back, not added (the relay would refuse it).
      if (msg.on && !SentEmoji.safeParse(msg.emoji).success)
        throw new Error('That reaction is not one emoji as Unicode lists them, so it cannot be added; pick the emoji from the list.');
      client()?.send(msg.conv, { kind: 'react', target: msg.target, emoji: msg.emoji, on: msg.on });
    },
    pin: (msg) => client()?.send(msg.conv, { kind: 'pin', target: msg.target, on: msg.on }),
    sendFile: (msg) => {
      const bytes = Buffer.from(msg.data, 'base64');
      client()?.sendFile(msg.conv, msg.name, bytes, { ...(msg.mime ? { mime: msg.mime } : {}), ...(msg.thread !== undefined ? { thread: msg.thread } : {}) });
    },
    retry: (msg) => client()?.retry(msg.id),
    discard: (msg) => {
      client()?.discard(msg.id);
      host.schedulePush();
    },
    // Posted by the view itself when messages arrive while it shows them; a hidden view has read nothing.
    read: (msg) => host.visible && client()?.markRead(msg.conv, msg.seq),
    typing: (msg) => client()?.typing(msg.conv),
    draft: (msg) => {
      host.drafts.set(msg.key, msg.text, msg.at);
      host.focusMemory.typed();
    },
  };
}
