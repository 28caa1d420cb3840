// One file's card: upload progress, conversion status, errors with a retry, and the result preview.
import {
  createJob,
  fetchPreview,
  getJob,
  JobGoneError,
  saveTable,
  uploadFile,
  UserFacingError,
  waitForJob,
  type JobView,
  type PreviewDocument,
  type PreviewTable,
} from "./api";
import { el } from "./dom";
import { isEditable, type SaveBody } from "./edit-model";
import { draftStore, forgetJob, rememberJob, type RecentJob } from "./recent";
import { TableEditor } from "./table-editor";
import { isLowConfidence, renderTable, toCsv, toGrid, toRows, toTsv, LOW_CONFIDENCE } from "./tables";

type Phase = "uploading" | "queued" | "processing" | "done" | "failed";

const STATUS_TEXT: Record<Phase, string> = {
  uploading: "Uploading…",
  queued: "Uploaded — waiting for a converter…",
  processing: "Converting…",
  done: "Done",
  failed: "Failed",
};

/** Content types the API accepts; a browser may leave file.type empty (HEIC, TIFF), so fall back on the name. */
const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  tif: "image/tiff",
  tiff: "image/tiff",
  bmp: "image/bmp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  avif: "image/avif",
  pdf: "application/pdf",
};

export function isPdf(file: File): boolean {
  return contentTypeOf(file) === "application/pdf";
}

export function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? "application/octet-stream";
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = el("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function stemOf(name: string): string {
  const base = name.replace(/\.[^.]+$/, "");
  return base.replace(/[^\p{L}\p{N}._-]+/gu, "_").replace(/^[._-]+|[._-]+$/g, "") || "table";
}

/** The async clipboard API needs a secure context (https, localhost); a phone on the LAN may not have one. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = el("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

let nextId = 0;

/** Every editor on the page, so leaving it with unsaved edits can be stopped. */
const openEditors = new Set<TableEditor>();

export function hasUnsavedEdits(): boolean {
  return Array.from(openEditors).some((e) => e.unsaved);
}

/** The file a card shows: one just picked (uploaded now), or a conversion remembered from an earlier visit. */
export type CardSource = { file: File } | { recent: RecentJob };

export class FileCard {
  readonly root: HTMLLIElement;
  private readonly statusEl: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly errorBox: HTMLElement;
  private readonly errorText: HTMLElement;
  private readonly retryButton: HTMLButtonElement;
  private readonly resultEl: HTMLElement;
  /** The picked file; null for a card restored from an earlier visit (the image stays on the user's device). */
  private readonly file: File | null;
  private readonly name: string;
  private readonly imageUrl: string | null;
  /** A PDF (by its type, or by its name for a conversion restored without the file). */
  private get isPdf(): boolean {
    return this.file ? isPdf(this.file) : this.name.toLowerCase().endsWith(".pdf");
  }
  private abort: AbortController | null = null;
  private jobId: string | null = null;
  private editors: TableEditor[] = [];
  /** Why the last click on "Download .xlsx" gave nothing (edits not saved, link gone). */
  private readonly downloadNote = el("p", "download-note");
  /** Saves of one job go one at a time: each rewrites the same workbook. */
  private saveQueue: Promise<unknown> = Promise.resolve();

  constructor(
    source: CardSource,
    private readonly announce: (message: string) => void,
  ) {
    const id = `card-${++nextId}`;
    this.file = "file" in source ? source.file : null;
    this.name = "file" in source ? source.file.name : source.recent.filename;
    const size = "file" in source ? source.file.size : source.recent.size;
    this.imageUrl = this.file ? URL.createObjectURL(this.file) : null;
    if ("recent" in source) this.jobId = source.recent.jobId;
    this.root = el("li", "card");
    this.root.dataset.testid = "file-card";
    this.root.dataset.filename = this.name;
    if (this.jobId) {
      this.root.dataset.jobId = this.jobId;
      this.root.dataset.restored = "true";
    }
    this.root.setAttribute("aria-labelledby", `${id}-name`);

    const header = el("div", "card-header");
    const thumb = el("img", "thumb");
    if (this.imageUrl) thumb.src = this.imageUrl;
    else thumb.classList.add("broken");
    thumb.alt = "";
    thumb.addEventListener("error", () => thumb.classList.add("broken")); // not an image the browser can show
    const titles = el("div", "card-titles");
    const name = el("h2", "card-name", this.name);
    name.id = `${id}-name`;
    const meta = el("p", "card-meta", this.file ? formatSize(size) : `${formatSize(size)} · converted earlier`);
    this.statusEl = el("p", "status");
    this.statusEl.dataset.testid = "status";
    this.statusEl.setAttribute("role", "status");
    titles.append(name, meta, this.statusEl);
    const remove = el("button", "icon-button", "✕");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove ${this.name}`);
    remove.addEventListener("click", () => {
      const unsaved = this.editors.some((e) => e.unsaved);
      if (unsaved && !window.confirm(`Your edits to ${this.name} are not saved yet. Remove it anyway?`)) return;
      this.dispose();
    });
    header.append(thumb, titles, remove);

    this.progress = el("progress", "progress");
    this.progress.max = 1;
    this.progress.value = 0;
    this.progress.setAttribute("aria-label", `Upload progress of ${this.name}`);

    this.errorBox = el("div", "error-box");
    this.errorBox.hidden = true;
    this.errorText = el("p", "error-text");
    this.errorText.dataset.testid = "error";
    this.errorText.setAttribute("role", "alert");
    const retry = el("button", "button", "Retry");
    retry.type = "button";
    retry.dataset.testid = "retry";
    retry.setAttribute("aria-label", `Retry ${this.name}`);
    retry.addEventListener("click", () => void (this.file ? this.start() : this.resume()));
    this.retryButton = retry;
    this.errorBox.append(this.errorText, retry);

    this.resultEl = el("div", "result");
    this.resultEl.hidden = true;
    this.downloadNote.hidden = true;
    this.downloadNote.dataset.testid = "download-note";

    this.root.append(header, this.progress, this.errorBox, this.resultEl);
  }

  private setPhase(phase: Phase, detail?: string): void {
    this.root.dataset.status = phase;
    this.statusEl.textContent = detail ?? STATUS_TEXT[phase];
    this.progress.hidden = !(phase === "uploading" || phase === "queued" || phase === "processing");
    if (phase === "queued" || phase === "processing") this.progress.removeAttribute("value"); // indeterminate
  }

  private showError(message: string, status = "failed"): void {
    this.setPhase("failed");
    this.root.dataset.status = status;
    this.errorText.textContent = message;
    this.errorBox.hidden = false;
    this.announce(`${this.name}: ${message}`);
  }

  private resetResult(): void {
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren(this.errorText, this.retryButton);
    this.resultEl.hidden = true;
    this.resultEl.replaceChildren();
    for (const editor of this.editors) openEditors.delete(editor);
    this.editors = [];
  }

  async start(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.resetResult();
    this.progress.value = 0;
    this.setPhase("uploading");
    try {
      if (file.size === 0) throw new UserFacingError("This file is empty.", "rejected");
      if (this.jobId) forgetJob(this.jobId); // a retry is a new job
      const job = await createJob(file, contentTypeOf(file));
      this.jobId = job.jobId;
      this.root.dataset.jobId = job.jobId;
      await uploadFile(job, file, (f) => {
        this.progress.value = f;
        this.statusEl.textContent = `Uploading… ${Math.round(f * 100)}%`;
      }, abort.signal);
      rememberJob({ jobId: job.jobId, filename: file.name, size: file.size, at: Date.now() });
      this.setPhase("queued");
      const view = await waitForJob(job.jobId, (v) => this.onStatus(v), abort.signal);
      if (abort.signal.aborted) return;
      if (view.status === "failed") {
        forgetJob(job.jobId); // nothing to come back to after a reload
        this.showError(`Conversion failed: ${view.error ?? "unknown reason"}`);
        return;
      }
      await this.showResult(view);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.showError(err instanceof UserFacingError ? err.message : `Something went wrong: ${String(err)}`);
    }
  }

  /** A conversion remembered from an earlier visit: pick it up where it is (still converting, or done). */
  async resume(): Promise<void> {
    const jobId = this.jobId;
    if (!jobId) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.resetResult();
    this.setPhase("processing", "Loading…");
    try {
      const first = await getJob(jobId);
      if (first.status === "awaiting_upload") throw new JobGoneError("The upload of this file never finished.");
      const view =
        first.status === "done" || first.status === "failed"
          ? first
          : await waitForJob(jobId, (v) => this.onStatus(v), abort.signal);
      if (abort.signal.aborted) return;
      if (view.status === "failed") {
        forgetJob(jobId); // shown once; nothing to come back to after the next reload
        this.showError(`Conversion failed: ${view.error ?? "unknown reason"}`);
        this.retryButton.remove(); // the image is not in this browser any more: nothing to retry with
        return;
      }
      await this.showResult(view);
    } catch (err) {
      if (abort.signal.aborted) return;
      if (err instanceof JobGoneError) {
        forgetJob(jobId); // expired or unknown: nothing to show next time either
        this.dispose();
        return;
      }
      this.showError(err instanceof UserFacingError ? err.message : `Something went wrong: ${String(err)}`);
    }
  }

  private onStatus(view: JobView): void {
    if (view.status === "queued" || view.status === "awaiting_upload") this.setPhase("queued");
    else if (view.status === "processing") this.setPhase("processing");
  }

  private async showResult(view: JobView): Promise<void> {
    const result = view.result!;
    let doc: PreviewDocument;
    try {
      doc = await fetchPreview(result.jsonUrl);
    } catch (err) {
      doc = { tables: [], warnings: [err instanceof Error ? err.message : String(err)] };
    }
    const stem = stemOf(this.name);
    const n = doc.tables.length;
    if (n === 0) {
      this.showError(
        "No table found in this image. Try a sharper, straighter photo that shows the whole table" +
          (doc.lines?.length ? " (the workbook still holds the text that was read)." : "."),
        "no-table",
      );
      this.statusEl.textContent = "Done — no table found";
      this.errorBox.append(this.xlsxButton(stem));
      return;
    }
    this.setPhase("done", `Done — ${n} table${n > 1 ? "s" : ""} found`);
    if (!this.file) this.announce(`${this.name}: your earlier conversion, ${n} table${n > 1 ? "s" : ""}.`);
    else this.announce(`${this.name} converted: ${n} table${n > 1 ? "s" : ""}.`);

    const actions = el("div", "result-actions");
    actions.append(this.xlsxButton(stem), this.downloadNote);
    const doubtful = doc.tables.reduce((n, t) => n + t.cells.filter(isLowConfidence).length, 0);
    const legend = el("p", "legend");
    if (doubtful > 0) {
      const swatch = el("span", "legend-swatch low-confidence");
      swatch.setAttribute("aria-hidden", "true");
      const percent = LOW_CONFIDENCE * 100;
      const totals = doc.tables.some((t) => t.cells.some((c) => c.check));
      const why = totals
        ? ` Highlighted cells were read with less than ${percent}% confidence or are part of a total that does not add up — please check them. `
        : ` Highlighted cells were read with less than ${percent}% confidence — please check them. `;
      legend.append(swatch, why);
    }
    const edited = el("span", "legend-swatch edited");
    edited.setAttribute("aria-hidden", "true");
    legend.append("Click any cell to correct it; ", edited, " marks your edits, which the downloads include.");
    actions.append(legend);
    const fromTextLayer = (doc.pages ?? []).filter((p) => p.text_source === "text_layer").length;
    if (fromTextLayer > 0) {
      const pages = fromTextLayer === 1 ? "1 page" : `${fromTextLayer} pages`;
      const note = el("p", "legend", `Text of ${pages} taken from the PDF's own text layer (exact characters).`);
      note.dataset.testid = "text-layer-note";
      actions.append(note);
    }

    const body = el("div", "result-body");
    if (this.imageUrl) {
      const figure = el("figure", "original");
      const img = el("img");
      img.src = this.imageUrl;
      img.alt = `The uploaded image ${this.name}`;
      img.addEventListener("error", () =>
        img.replaceWith(
          el(
            "p",
            "legend",
            this.isPdf
              ? "PDF document: the tables below were read from its pages."
              : "This browser cannot display this image format (the conversion read it).",
          ),
        ),
      );
      figure.append(img, el("figcaption", undefined, "Original"));
      body.append(figure);
    } else body.classList.add("no-original");
    const tables = el("div", "tables");
    doc.tables.forEach((table, i) => tables.append(this.tableSection(table, i, n, stem)));
    body.append(tables);
    this.resultEl.append(actions, body);
    this.resultEl.hidden = false;
  }

  private xlsxButton(stem: string): HTMLButtonElement {
    const button = el("button", "button primary", "Download .xlsx");
    button.type = "button";
    button.dataset.testid = "download-xlsx";
    button.setAttribute("aria-label", `Download .xlsx: ${stem}.xlsx`);
    button.addEventListener("click", () => void this.downloadXlsx(button));
    return button;
  }

  /** Result links are short-lived: ask for a fresh one at click time, once every edit is saved. */
  private async downloadXlsx(button: HTMLButtonElement): Promise<void> {
    if (!this.jobId) return;
    button.disabled = true;
    this.downloadNote.hidden = true;
    try {
      try {
        await Promise.all(this.editors.map((e) => e.flush()));
      } catch (err) {
        const reason = err instanceof Error ? err.message.replace(/\.$/, "") : String(err);
        throw new UserFacingError(`Not downloaded: your edits are not saved yet (${reason}).`, "server");
      }
      const view = await getJob(this.jobId);
      if (!view.result) throw new UserFacingError("The workbook is no longer available.", "server");
      const a = el("a");
      a.href = new URL(view.result.xlsxUrl, document.baseURI).toString();
      a.download = "";
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.downloadNote.textContent = message;
      this.downloadNote.hidden = false;
      this.announce(message);
    } finally {
      button.disabled = false;
    }
  }

  /** PUT the table, then read the server's copy back (the preview JSON behind the job's fresh link). */
  private saveTable(index: number, body: SaveBody): Promise<PreviewTable | null> {
    const jobId = this.jobId;
    if (!jobId) return Promise.reject(new UserFacingError("this conversion has no job", "rejected"));
    const run = async () => {
      const view = await saveTable(jobId, index, body);
      if (!view.result) return null;
      try {
        const doc = await fetchPreview(view.result.jsonUrl);
        return doc.tables.find((t, i) => (t.index ?? i) === index) ?? null;
      } catch {
        return null; // saved; only the re-read failed
      }
    };
    const next = this.saveQueue.then(run, run);
    this.saveQueue = next.catch(() => undefined);
    return next;
  }

  private tableSection(table: PreviewTable, i: number, n: number, stem: string): HTMLElement {
    const section = el("section", "table-section");
    section.dataset.testid = "table-preview";
    const onPage = this.isPdf && table.page !== undefined ? ` · page ${table.page + 1}` : "";
    const title = (n > 1 ? `Table ${i + 1} of ${n}` : "Table") + onPage;
    const caption = `${title} recognised in ${this.name}`;
    const index = table.index ?? i;
    let rows: () => string[][];
    let size: { rows: number; cols: number };
    let content: HTMLElement;
    if (isEditable(table)) {
      const editor = new TableEditor(table, {
        caption,
        save: (body) => this.saveTable(index, body),
        announce: this.announce,
        draft: this.jobId ? draftStore(this.jobId, index) : undefined,
      });
      this.editors.push(editor);
      openEditors.add(editor);
      rows = () => editor.rows();
      size = editor.size;
      content = editor.root;
    } else {
      const grid = toGrid(table);
      const fixed = toRows(grid);
      rows = () => fixed;
      size = grid;
      const scroller = el("div", "table-scroll");
      scroller.tabIndex = 0; // scrollable region must be reachable by keyboard
      scroller.setAttribute("role", "region");
      scroller.setAttribute("aria-label", `${title} preview`);
      scroller.append(renderTable(table, caption), el("p", "legend", "This table is too large to edit here."));
      content = scroller;
    }
    section.dataset.tableIndex = String(index);
    const head = el("div", "table-head");
    head.append(el("h3", undefined, `${title} · ${size.rows} × ${size.cols}`));
    const csv = el("button", "button", "Download CSV");
    csv.type = "button";
    csv.dataset.testid = "download-csv";
    csv.setAttribute("aria-label", `Download CSV of ${title.toLowerCase()}`);
    const suffix = n > 1 ? `-table${i + 1}` : "";
    csv.addEventListener("click", () =>
      saveBlob(new Blob(["\ufeff" + toCsv(rows())], { type: "text/csv;charset=utf-8" }), `${stem}${suffix}.csv`),
    );
    const copy = el("button", "button", "Copy table");
    copy.type = "button";
    copy.dataset.testid = "copy-tsv";
    copy.setAttribute("aria-label", `Copy table: ${title.toLowerCase()}, for pasting into a spreadsheet`);
    copy.addEventListener("click", async () => {
      try {
        await copyText(toTsv(rows()));
        copy.textContent = "Copied ✓";
        this.announce("Table copied. Paste it into a spreadsheet.");
      } catch {
        copy.textContent = "Copy failed";
        this.announce("The browser did not allow copying to the clipboard.");
      }
      setTimeout(() => (copy.textContent = "Copy table"), 2000);
    });
    const buttons = el("div", "table-buttons");
    buttons.append(csv, copy);
    head.append(buttons);
    section.append(head, content);
    return section;
  }

  /** The ✕ button: the card goes, and the page stops remembering the conversion. */
  dispose(): void {
    this.abort?.abort();
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    if (this.jobId) forgetJob(this.jobId);
    for (const editor of this.editors) openEditors.delete(editor);
    this.root.remove();
  }
}
