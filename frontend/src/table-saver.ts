// Saving one edited table: debounced, one request at a time (the newest edits always go last), its state on
// show (unsaved, saving, saved, or refused with the server's message and a retry), and edits that are not on
// the server yet kept in this browser as a draft, so a reload, a crash or a refused save loses nothing.
import { UserFacingError, type PreviewTable } from "./api";
import { el } from "./dom";
import type { SaveBody } from "./edit-model";
import type { DraftStore } from "./recent";

export type SaveState = "clean" | "pending" | "saving" | "saved" | "failed";

const SAVE_DELAY_MS = 800;
const FIRST_RETRY_MS = 5000;

export interface SaverHooks {
  /** The table as shown, as the JSON body of the PUT. */
  body: () => string;
  /** A cell editor is open (its text is not in body() yet). */
  editing: () => boolean;
  /** Something was changed in this page (so "saved" is worth saying). */
  changed: () => boolean;
  /** Sends the body; resolves to the server's copy of the table (null if it could not be re-read). */
  save: (body: SaveBody) => Promise<PreviewTable | null>;
  /** The server's copy after a save of what is still shown: the editor shows it if it differs. */
  serverCopy: (table: PreviewTable) => void;
  announce: (message: string) => void;
  draft?: DraftStore;
}

export class TableSaver {
  /** The status line: what happened to the edits, and a retry when a save was refused. */
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private savedBody: string;
  private state: SaveState = "clean";
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = FIRST_RETRY_MS;

  constructor(private readonly hooks: SaverHooks) {
    this.savedBody = hooks.body();
    this.element = el("div", "save-status");
    this.element.dataset.testid = "save-status";
    this.element.dataset.state = this.state;
    this.text = el("span", "save-text");
    this.text.setAttribute("role", "status");
    this.retry = el("button", "button small", "Retry saving");
    this.retry.type = "button";
    this.retry.dataset.testid = "save-retry";
    this.retry.hidden = true;
    this.retry.addEventListener("click", () => void this.flush().catch(() => undefined));
    this.element.append(this.text, this.retry);
  }

  /** Something shown is not on the server yet (or is on its way). */
  get unsaved(): boolean {
    return this.inFlight !== null || this.hooks.body() !== this.savedBody;
  }

  /** Whether the server already holds this body. */
  holds(body: string): boolean {
    return body === this.savedBody;
  }

  /** A draft from an earlier visit is shown: save it right away. */
  restored(): void {
    this.setState("pending", "restored");
    this.hooks.announce("Edits you had not saved yet were restored; saving them now.");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush().catch(() => undefined), 0);
  }

  /** After a change: keep it as a draft and save it shortly (edits in a row make one request). */
  schedule(delay = SAVE_DELAY_MS): void {
    clearTimeout(this.timer);
    if (this.hooks.editing()) return; // saved once the editor closes
    const body = this.hooks.body();
    if (body === this.savedBody) {
      if (this.inFlight) return; // the running save checks for newer changes when it ends
      this.hooks.draft?.clear();
      // Back to what the server holds (say, undone): nothing is unsaved, whatever happened before.
      if (this.state === "pending" || this.state === "failed") this.setState(this.hooks.changed() ? "saved" : "clean");
      return;
    }
    this.hooks.draft?.store(body);
    if (this.inFlight) return;
    if (this.state !== "failed") this.setState("pending");
    this.timer = setTimeout(() => void this.flush().catch(() => undefined), delay);
  }

  /** Save now; resolves once the server holds what is shown, rejects with the reason it does not. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    for (;;) {
      if (this.inFlight) {
        await this.inFlight; // a failure rejects here: the caller learns the edits are not saved
        continue;
      }
      const body = this.hooks.body();
      if (body === this.savedBody) {
        if (this.state !== "clean") this.setState("saved");
        return;
      }
      this.inFlight = this.send(body);
      try {
        await this.inFlight;
      } finally {
        this.inFlight = null;
      }
    }
  }

  private async send(body: string): Promise<void> {
    this.setState("saving");
    let server: PreviewTable | null;
    try {
      server = await this.hooks.save(JSON.parse(body) as SaveBody);
    } catch (err) {
      const current = this.hooks.body();
      if (current !== this.savedBody) this.hooks.draft?.store(current);
      const message = err instanceof Error ? err.message.replace(/\.$/, "") : String(err);
      this.setState("failed", message);
      this.hooks.announce(`Your edits were not saved: ${message}.`);
      if (err instanceof UserFacingError && err.kind !== "rejected") {
        // Network or server trouble may pass: try again later, less and less often.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, 60_000);
      }
      throw err;
    }
    this.retryDelay = FIRST_RETRY_MS;
    this.savedBody = body;
    // The server's copy is what the downloads hold: if nothing changed meanwhile, show that copy.
    if (server && !this.hooks.editing() && this.hooks.body() === body) {
      this.hooks.serverCopy(server);
      this.savedBody = this.hooks.body();
    }
    if (this.hooks.body() === this.savedBody) {
      this.hooks.draft?.clear();
      if (!this.hooks.editing()) this.setState("saved");
    }
  }

  private setState(state: SaveState, message = ""): void {
    this.state = state;
    this.element.dataset.state = state;
    this.retry.hidden = state !== "failed";
    const text: Record<SaveState, string> = {
      clean: "",
      pending: message === "restored" ? "Restored edits you had not saved yet — saving…" : "Unsaved changes…",
      saving: "Saving…",
      saved: "All changes saved ✓",
      failed: `Not saved: ${message}. Your edits are kept in this browser; downloads wait until they are saved.`,
    };
    this.text.textContent = text[state];
  }
}
