import type { ViewHandlers, ViewHost } from './viewHost';

type FocusHandlers = Pick<ViewHandlers, 'focusState'>;

/** Where the keyboard focus is in the view, remembered across a reload (see focusMemory.ts). */
export function focusHandlers(host: Pick<ViewHost, 'focusMemory'>): FocusHandlers {
  return {
    focusState: (msg) => host.focusMemory.record(msg.field),
  };
}
