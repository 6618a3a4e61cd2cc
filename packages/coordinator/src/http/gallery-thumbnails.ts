import { decodePng, thumbnailPng } from "@atelier/diffusion/png";
import type { ObjectStore } from "../storage/index.ts";

/** The longer side of a gallery tile's image: a 168 px tile on a 1.5x screen needs 252. */
export const THUMBNAIL_SIDE_PX = 256;
// Each make holds one whole image decoded (12 MB at 2048²): a page of 100
// new tiles queues behind two at a time rather than taking 1.2 GB at once.
const CONCURRENT_MAKES = 2;
// Keys known to be in the bucket, so that a gallery seen again costs no request to the store.
const REMEMBERED_KEYS = 10_000;

/**
 * Where an output's thumbnail lives: beside it, under its batch's prefix, so
 * that the tenant's prefix isolates it and deleting the batch removes it.
 */
export function thumbnailKeyFor(outputKey: string): string {
  const slash = outputKey.lastIndexOf("/");
  return `${outputKey.slice(0, slash)}/thumbnails/${THUMBNAIL_SIDE_PX}/${outputKey.slice(slash + 1)}`;
}

export interface GalleryThumbnails {
  /** The key of the output's thumbnail, made and stored the first time it is asked for. */
  keyFor(outputKey: string): Promise<string>;
}

/**
 * Gallery thumbnails, made when a gallery first shows an image rather than
 * by agents for every render: most images of a large batch are never looked
 * at, and a render costs one storage request, not two. The coordinator reads
 * the image once (its size was bounded when it was recorded), box-filters it
 * and stores the thumbnail in the bucket, from which browsers then fetch it.
 */
export function galleryThumbnails(store: ObjectStore): GalleryThumbnails {
  const known = new Set<string>();
  const making = new Map<string, Promise<string>>();
  const slots = limiter(CONCURRENT_MAKES);
  const remember = (key: string) => {
    known.add(key);
    // A Set iterates in insertion order: the first is the oldest.
    if (known.size > REMEMBERED_KEYS) known.delete(known.values().next().value!);
  };
  const make = async (outputKey: string, key: string) => {
    if (!(await store.head(key))) {
      await slots(async () => {
        const image = decodePng(await store.get(outputKey));
        await store.put(key, thumbnailPng(image, THUMBNAIL_SIDE_PX), "image/png");
      });
    }
    remember(key);
    return key;
  };
  return {
    async keyFor(outputKey) {
      const key = thumbnailKeyFor(outputKey);
      if (known.has(key)) return key;
      let made = making.get(key);
      if (!made) {
        made = make(outputKey, key).finally(() => making.delete(key));
        making.set(key, made);
      }
      return made;
    },
  };
}

/** Runs the work given to it with at most `limit` at a time, in the order given. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
