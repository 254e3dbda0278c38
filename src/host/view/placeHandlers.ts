import type { ViewHandlers, ViewHost } from './viewHost';

type PlaceHandlers = Pick<ViewHandlers, 'place'>;

/** Where the view is (its screen, its scroll), kept across a reload (see viewPlace.ts). */
export function placeHandlers(host: Pick<ViewHost, 'place'>): PlaceHandlers {
  return {
    place: (msg) => host.place.set(msg.place),
  };
}
