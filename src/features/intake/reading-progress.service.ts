/** How long a finished or abandoned reading is remembered for the page that polls it. */
const KEEP_MS = 10 * 60_000;

export interface ReadingProgress {
  page: number;
  pages: number;
}

/**
 * How far the reading of an upload has got (OCR goes page by page), so that the registration page
 * can say 识别中：第 N / M 页 while the upload's request is still being answered. Kept in this
 * process only: the request that reads and the page that polls meet on the same server.
 */
export function createReadingProgressService(now: () => number = Date.now) {
  const entries = new Map<string, ReadingProgress & { at: number }>();
  const forget = () => {
    for (const [key, entry] of entries) if (now() - entry.at > KEEP_MS) entries.delete(key);
  };
  return {
    report(key: string, progress: ReadingProgress): void {
      forget();
      entries.set(key, { ...progress, at: now() });
    },
    read(key: string): ReadingProgress | null {
      const entry = entries.get(key);
      return entry ? { page: entry.page, pages: entry.pages } : null;
    },
  };
}

export type ReadingProgressService = ReturnType<typeof createReadingProgressService>;
