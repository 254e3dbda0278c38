// Reading the files a snippet may have moved to (host/codeLinks.ts, "renamed"): up to a few
// hundred files found by extension. Read asynchronously, a few at a time, so the extension host's
// thread (which every extension shares) is never held for the whole search, with a cap per file
// and one for all of them together, in the order given (files with the snippet's name first).

export interface CandidateIo {
  /** The size of a regular file; undefined for anything else (a folder, a missing file). */
  size(path: string): Promise<number | undefined>;
  read(path: string): Promise<Uint8Array>;
}

export interface CandidateLimits {
  /** Files larger than this are skipped. */
  fileBytes: number;
  /** Reading stops before the total would pass this. */
  totalBytes: number;
  /** Files read at once. */
  parallel: number;
}

export const CANDIDATE_LIMITS: CandidateLimits = { fileBytes: 1024 * 1024, totalBytes: 32 * 1024 * 1024, parallel: 8 };

/** The text of each readable candidate within the limits, in the order of `paths`. */
export async function readCandidates(
  paths: readonly string[],
  io: CandidateIo,
  limits: CandidateLimits = CANDIDATE_LIMITS,
): Promise<{ path: string; text: string }[]> {
  const decoder = new TextDecoder();
  const out: { path: string; text: string }[] = [];
  let total = 0;
  for (let i = 0; i < paths.length; i += limits.parallel) {
    const batch = await Promise.all(
      paths.slice(i, i + limits.parallel).map(async (path) => {
        try {
          const size = await io.size(path);
          if (size === undefined || size > limits.fileBytes) return undefined;
          return { path, bytes: await io.read(path) };
        } catch {
          return undefined; // gone or unreadable since it was found: not a candidate
        }
      }),
    );
    for (const file of batch) {
      if (!file) continue;
      if (total + file.bytes.byteLength > limits.totalBytes) return out;
      total += file.bytes.byteLength;
      out.push({ path: file.path, text: decoder.decode(file.bytes) });
    }
  }
  return out;
}
