/** Differs between page loads, so a reply meant for the page before a reload matches nothing here. */
const LOAD = Math.random().toString(36).slice(2, 10);
let counter = 0;

/**
 * A fresh `rid` for a request the host answers (search, mentions, loadOlder, openResult): the
 * answer echoes it, and the view keeps only the answer to the request it is waiting for.
 */
export function requestId(): string {
  return `${LOAD}-${++counter}`;
}
