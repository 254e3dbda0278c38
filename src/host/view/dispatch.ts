import { ViewToHost, type HostToView } from '../../protocol/view';
import type { ViewHandlers, ViewHost } from './viewHost';

/**
 * Validates what the view posted and runs its handler. A malformed message is logged and
 * dropped; a handler's failure is logged with its stack and shown in the view (as the answer to
 * the request, when the message was one, so the view stops waiting).
 */
export async function dispatchViewMessage(raw: unknown, handlers: ViewHandlers, host: Pick<ViewHost, 'log' | 'post'>, interacted: () => void): Promise<void> {
  const parsed = ViewToHost.safeParse(raw);
  if (!parsed.success) {
    host.log.warn(`ignored a malformed message from the chat view: ${parsed.error.issues[0]?.message}`);
    return;
  }
  const msg = parsed.data;
  // 'read' is posted by itself when messages arrive in a visible view, 'focusState' when the focus
  // moves (leaving the view included): neither is the user doing something in the chat.
  if (msg.type !== 'ready' && msg.type !== 'read' && msg.type !== 'focusState') interacted();
  try {
    // The map's entry for msg.type takes exactly that message; the union forgets which one it is.
    await (handlers[msg.type] as (m: ViewToHost) => unknown)(msg);
  } catch (err) {
    host.log.error(`chat view request '${msg.type}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const notice: HostToView = { type: 'notice', level: 'error', text: (err as Error).message, ...('rid' in msg ? { rid: msg.rid } : {}) };
    host.post(notice);
  }
}
