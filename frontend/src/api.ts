// The conversion API: create a job, upload to its presigned POST form, poll its status, fetch the preview.
// The API base comes from config.json at run time, so one build serves the local stack, dev and prod.
import { currentLanguage } from "./language";

export type JobStatus = "awaiting_upload" | "queued" | "processing" | "done" | "failed";

export interface JobResult {
  xlsxUrl: string;
  jsonUrl: string;
  tables: number;
}

export interface JobView {
  jobId: string;
  status: JobStatus;
  filename?: string;
  error?: string;
  result?: JobResult;
}

export interface CreatedJob {
  jobId: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: number;
}

/** A failure with a message meant for the person using the page. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly kind: "rejected" | "upload" | "network" | "conversion" | "server",
  ) {
    super(message);
  }
}

interface AppConfig {
  apiBase: string;
}

let configPromise: Promise<AppConfig> | null = null;

export function loadConfig(): Promise<AppConfig> {
  configPromise ??= fetch(new URL("config.json", document.baseURI), { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))
    .then((c: Partial<AppConfig>) => ({ apiBase: (c.apiBase || "/api").replace(/\/+$/, "") }));
  return configPromise;
}

async function apiUrl(path: string): Promise<string> {
  const { apiBase } = await loadConfig();
  return new URL(apiBase + path, document.baseURI).toString();
}

async function readMessage(response: Response): Promise<string> {
  try {
    const body = await response.json();
    if (body && typeof body.message === "string") return body.message;
  } catch {
    /* not JSON */
  }
  return `the server answered ${response.status} ${response.statusText}`.trim();
}

export async function createJob(file: File, contentType: string): Promise<CreatedJob> {
  let response: Response;
  try {
    response = await fetch(await apiUrl("/jobs"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filename: file.name, contentType, size: file.size, language: currentLanguage() }),
    });
  } catch {
    throw new UserFacingError("Could not reach the server. Check your connection and retry.", "network");
  }
  if (response.status === 201) return (await response.json()) as CreatedJob;
  const message = await readMessage(response);
  if (response.status === 415) throw new UserFacingError(`Wrong file type: ${message}.`, "rejected");
  if (response.status === 413) throw new UserFacingError(`File too large: ${message}.`, "rejected");
  if (response.status >= 400 && response.status < 500) throw new UserFacingError(`Rejected: ${message}.`, "rejected");
  throw new UserFacingError(`The server could not start the conversion (${message}).`, "server");
}

/** S3 (and the local bucket) answer a refused POST with an XML <Error>; turn it into a sentence. */
function uploadError(status: number, body: string): UserFacingError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? "";
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "";
  if (code === "EntityTooLarge") return new UserFacingError("File too large: the upload was refused.", "rejected");
  if (code === "AccessDenied" && /expired/i.test(message))
    return new UserFacingError("The upload link expired before the file was sent. Retry.", "upload");
  const detail = [code, message].filter(Boolean).join(": ") || `status ${status}`;
  return new UserFacingError(`The upload was refused (${detail}).`, "upload");
}

/** POST the file with the presigned form fields; XHR rather than fetch, for upload progress. */
export function uploadFile(
  job: CreatedJob,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(job.upload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", new URL(job.upload.url, document.baseURI).toString());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(uploadError(xhr.status, xhr.responseText || ""));
    };
    xhr.onerror = () => reject(new UserFacingError("The upload failed: the connection was lost. Retry.", "network"));
    xhr.onabort = () => reject(new UserFacingError("The upload was cancelled.", "upload"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}

/** A job the server no longer knows (expired, or never existed). */
export class JobGoneError extends UserFacingError {
  constructor(message: string) {
    super(message, "rejected");
  }
}

export async function getJob(jobId: string): Promise<JobView> {
  let response: Response;
  try {
    response = await fetch(await apiUrl(`/jobs/${encodeURIComponent(jobId)}`), { cache: "no-store" });
  } catch {
    throw new UserFacingError("Lost contact with the server.", "network");
  }
  if (response.status === 404) throw new JobGoneError(`This conversion is no longer available (${await readMessage(response)}).`);
  if (!response.ok) throw new UserFacingError(`Could not read the job status (${await readMessage(response)}).`, "server");
  return (await response.json()) as JobView;
}

/**
 * Save an edited table (PUT /jobs/{jobId}/tables/{index}); the server rewrites the workbook, CSV and JSON and
 * answers with the job view (fresh links). A refusal carries the server's own message.
 */
export async function saveTable(jobId: string, index: number, body: unknown): Promise<JobView> {
  let response: Response;
  try {
    response = await fetch(await apiUrl(`/jobs/${encodeURIComponent(jobId)}/tables/${index}`), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new UserFacingError("Could not reach the server", "network");
  }
  if (response.ok) {
    try {
      return (await response.json()) as JobView;
    } catch {
      return { jobId, status: "done" }; // saved; the reply just carried no job view (no fresh links)
    }
  }
  const message = await readMessage(response);
  throw new UserFacingError(message, response.status >= 500 ? "server" : "rejected");
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Poll until the job ends; network hiccups are retried, as conversions can take a while. */
export async function waitForJob(
  jobId: string,
  onStatus: (view: JobView) => void,
  signal?: AbortSignal,
  timeoutMs = 15 * 60 * 1000,
): Promise<JobView> {
  const started = Date.now();
  let failures = 0;
  while (!signal?.aborted) {
    try {
      const view = await getJob(jobId);
      failures = 0;
      onStatus(view);
      if (view.status === "done" || view.status === "failed") return view;
    } catch (err) {
      if (++failures >= 10) throw err;
    }
    if (Date.now() - started > timeoutMs)
      throw new UserFacingError("The conversion is taking too long. Retry later.", "server");
    const elapsed = Date.now() - started;
    await sleep(elapsed < 20_000 ? 700 : 2000, signal);
  }
  throw new UserFacingError("Cancelled.", "upload");
}

export interface PreviewCell {
  row: number;
  col: number;
  rowspan?: number;
  colspan?: number;
  text?: string;
  value?: unknown;
  confidence?: number | null;
  bbox?: number[] | null;
  header?: boolean;
  /** Changed by the user (a saved edit). */
  edited?: boolean;
  /** Why the cell is doubtful although it was read with confidence (a total that does not add up). */
  check?: string;
}

export interface PreviewTable {
  /** Its position in the document: the {n} of PUT /jobs/{id}/tables/{n}. */
  index?: number;
  n_rows?: number;
  n_header_rows?: number;
  n_cols?: number;
  cells: PreviewCell[];
  page?: number;
  bbox?: number[] | null;
}

export interface PreviewPage {
  index: number;
  /** "text_layer": a PDF page's own text was used (exact characters); "ocr": read from the picture. */
  text_source?: "ocr" | "text_layer";
}

export interface PreviewDocument {
  tables: PreviewTable[];
  lines?: { text: string }[];
  warnings?: string[];
  pages?: PreviewPage[];
}

export async function fetchPreview(url: string): Promise<PreviewDocument> {
  const response = await fetch(new URL(url, document.baseURI).toString(), { cache: "no-store" });
  if (!response.ok) throw new UserFacingError("The preview could not be loaded; the workbook is still available.", "server");
  const doc = (await response.json()) as Partial<PreviewDocument>;
  return {
    tables: Array.isArray(doc.tables) ? doc.tables : [],
    lines: doc.lines ?? [],
    warnings: doc.warnings ?? [],
    pages: Array.isArray(doc.pages) ? doc.pages : [],
  };
}
