// The user's recent conversions, remembered in this browser so a reload (or coming back later) brings them
// back: only job ids and file names are kept; everything else is fetched again from the API.

export interface RecentJob {
  jobId: string;
  filename: string;
  size: number;
  /** When it was uploaded (ms since the epoch). */
  at: number;
}

const KEY = "img2xlsx.recentJobs";
const KEEP = 20;
const MAX_AGE_MS = 7 * 24 * 3600 * 1000; // jobs and their results live 7 days on the server

function read(): RecentJob[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (j): j is RecentJob =>
        !!j && typeof j.jobId === "string" && typeof j.filename === "string" && typeof j.at === "number",
    );
  } catch {
    return []; // storage disabled (private mode) or garbled: nothing to restore
  }
}

function write(jobs: RecentJob[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(jobs));
  } catch {
    /* storage full or disabled: the page still works, it just forgets on reload */
  }
}

/** Newest first, expired ones dropped. */
export function recentJobs(now = Date.now()): RecentJob[] {
  return read()
    .filter((j) => now - j.at < MAX_AGE_MS)
    .sort((a, b) => b.at - a.at)
    .slice(0, KEEP);
}

export function rememberJob(job: RecentJob): void {
  const before = read();
  const kept = [job, ...recentJobs().filter((j) => j.jobId !== job.jobId)].slice(0, KEEP);
  write(kept);
  for (const old of before) if (!kept.some((j) => j.jobId === old.jobId)) forgetDrafts(old.jobId);
}

export function forgetJob(jobId: string): void {
  write(recentJobs().filter((j) => j.jobId !== jobId));
  forgetDrafts(jobId);
}

// Edits not yet on the server (a save pending, or refused) are kept here too, so a reload, a crash or a
// closed tab does not lose them: the table comes back with them and saves them.
const draftKey = (jobId: string, index: number) => `img2xlsx.draft.${jobId}.${index}`;

export interface DraftStore {
  load(): unknown;
  /** The save body, as JSON. */
  store(json: string): void;
  clear(): void;
}

export function draftStore(jobId: string, index: number): DraftStore {
  const key = draftKey(jobId, index);
  return {
    load() {
      try {
        return JSON.parse(localStorage.getItem(key) ?? "null");
      } catch {
        return null;
      }
    },
    store(json) {
      try {
        localStorage.setItem(key, json);
      } catch {
        /* full or disabled: the page still warns before it is closed */
      }
    },
    clear() {
      try {
        localStorage.removeItem(key);
      } catch {
        /* disabled */
      }
    },
  };
}

function forgetDrafts(jobId: string): void {
  try {
    const prefix = `img2xlsx.draft.${jobId}.`;
    for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) localStorage.removeItem(key);
  } catch {
    /* disabled */
  }
}
