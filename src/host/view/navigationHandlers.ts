import type { ViewHandlers, ViewHost } from './viewHost';

type NavigationHandlers = Pick<ViewHandlers, 'select' | 'openThread' | 'closeThread' | 'openDm'>;

/** Moving around: another conversation, a thread beside it, a direct message with a member. */
export function navigationHandlers(host: ViewHost): NavigationHandlers {
  return {
    select: (msg) => host.select(msg.conv),
    openThread: (msg) => host.showThread({ conv: msg.conv, root: msg.root }),
    closeThread: () => host.showThread(undefined),
    openDm: async (msg) => {
      const client = host.session.client;
      if (!client) return;
      const conv = await client.openDm(msg.user);
      await host.select(conv.id);
      host.post({ type: 'focusComposer' });
    },
  };
}
