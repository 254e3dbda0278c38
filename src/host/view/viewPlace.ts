import { readFileSync } from 'node:fs';
import { writeJsonFile } from '../../client/jsonFile';
import { ViewPlace } from '../../protocol/view';

/**
 * Where the chat view was: the list or a conversation on screen (in a narrow side bar), and how
 * far up the open conversation was scrolled. The view keeps it with setState too, but VS Code
 * writes a webview's state to its storage only now and then, and in a browser (code-server)
 * not at all when the page unloads: a reload soon after scrolling brought back an older place,
 * or none. The view posts each change; this writes it at once (it is a few bytes, and the view
 * posts at most a few times a second) and gives it back in every snapshot. The newer copy wins.
 */
export class ViewPlaceStore {
  private place: ViewPlace | undefined;
  private writeFailed = false;

  constructor(
    /** undefined: nothing is kept (a window without a folder shares its storage with every other such window). */
    private readonly file: string | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.place = this.read();
  }

  get(): ViewPlace | undefined {
    return this.place;
  }

  /** The view moved; an older report than the kept one (posts crossing) is ignored. */
  set(place: ViewPlace): void {
    if (this.place && this.place.at > place.at) return;
    this.place = place;
    if (this.file === undefined) return;
    try {
      writeJsonFile(this.file, place);
      this.writeFailed = false;
    } catch (err) {
      if (!this.writeFailed) this.log(`could not keep where the chat view was: ${(err as Error).message}`);
      this.writeFailed = true;
    }
  }

  private read(): ViewPlace | undefined {
    if (this.file === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`where the chat view was is unreadable, ignored: ${(err as Error).message}`);
      return undefined;
    }
    const place = ViewPlace.safeParse(raw);
    if (!place.success) this.log(`where the chat view was is damaged, ignored: ${place.error.issues[0]?.message ?? 'not a place'}`);
    return place.success ? place.data : undefined;
  }
}
