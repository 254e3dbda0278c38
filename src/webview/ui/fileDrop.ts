import { carriesUris, droppedUris } from '../logic/droppedUris';
import type { ComposerHooks } from './composer';

/**
 * Makes `el` (a composer) take dropped files: from the desktop (read here and sent), or from VS
 * Code's Explorer or an editor tab (their URIs go to the host, which reads them). Where files
 * cannot be sent (no `sendFiles`), nothing is taken.
 */
export function acceptFileDrops(el: HTMLElement, hooks: Pick<ComposerHooks, 'sendFiles' | 'sendUris'>): void {
  el.addEventListener('dragover', (e) => {
    const types = [...(e.dataTransfer?.types ?? [])];
    if (hooks.sendFiles && (types.includes('Files') || (hooks.sendUris && carriesUris(types)))) {
      e.preventDefault();
      el.classList.add('drop');
    }
  });
  el.addEventListener('dragleave', () => el.classList.remove('drop'));
  el.addEventListener('drop', (e) => {
    el.classList.remove('drop');
    const dt = e.dataTransfer;
    if (!dt || !hooks.sendFiles) return;
    const uris = hooks.sendUris ? droppedUris([...dt.types], (t) => dt.getData(t)) : [];
    const files = [...dt.files];
    if (uris.length) {
      e.preventDefault();
      hooks.sendUris?.(uris);
    } else if (files.length) {
      e.preventDefault();
      hooks.sendFiles(files);
    }
  });
}
