import { formatBytes } from '../../protocol/formatBytes';
import { post } from './vscodeApi';

/**
 * Sends picked, pasted or dropped files to `conv` (a thread's when `thread` is set): each is read
 * here and posted whole; one over the relay's limit is refused with a notice instead.
 */
export function sendFiles(conv: string, files: File[], maxBytes: number, thread: number | undefined, notice: (text: string) => void): void {
  for (const f of files) {
    if (f.size > maxBytes) {
      notice(`${f.name} is ${formatBytes(f.size)}; the relay accepts files up to ${formatBytes(maxBytes)}.`);
      continue;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      const data = url.slice(url.indexOf(',') + 1);
      post({
        type: 'sendFile',
        conv,
        name: f.name || 'pasted-image.png',
        mime: f.type || 'application/octet-stream',
        data,
        ...(thread !== undefined ? { thread } : {}),
      });
    };
    reader.onerror = () => notice(`Could not read ${f.name}.`);
    reader.readAsDataURL(f);
  }
}
