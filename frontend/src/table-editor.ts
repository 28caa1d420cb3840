// The preview as an editable grid (ARIA grid, roving tabindex): edit cells in place, visit doubtful cells first,
// merge/split, header rows, Undo/Redo, and save to the server (debounced; flushed before a download).
import type { PreviewTable } from "./api";
import {
  cellAt,
  expandRect,
  fromBody,
  fromPreview,
  isDoubtful,
  isEdited,
  merge,
  reconcile,
  setHeaderRows,
  setText,
  split,
  stateRows,
  toSaveBody,
  MAX_TEXT,
  type EditCell,
  type Rect,
  type SaveBody,
  type TableState,
} from "./edit-model";
import { el } from "./dom";
import type { DraftStore } from "./recent";
import { TableSaver } from "./table-saver";
import { doubtReason, LOW_CONFIDENCE } from "./tables";

export interface EditorOptions {
  /** Names the grid for assistive technology, e.g. "Table 1 of 2 recognised in scan.png". */
  caption: string;
  /** Sends the table to the server; resolves to the server's copy of it (null if it could not be re-read). */
  save: (body: SaveBody) => Promise<PreviewTable | null>;
  announce: (message: string) => void;
  /** Where edits not yet saved are kept in this browser (they come back after a reload). */
  draft?: DraftStore;
}

interface Pos {
  row: number;
  col: number;
}

interface HistoryEntry {
  state: TableState;
  cursor: Pos;
  label: string;
}

const HISTORY_LIMIT = 200;
let nextEditorId = 0;

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const MOD = isMac ? "⌘" : "Ctrl";

function button(text: string, testid: string, className = "button small"): HTMLButtonElement {
  const b = el("button", className, text);
  b.type = "button";
  b.dataset.testid = testid;
  return b;
}

/** Same grid, same cells in the same places (only texts or marks may differ). */
function sameLayout(a: TableState, b: TableState): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols || a.nHeaderRows !== b.nHeaderRows) return false;
  if (a.cells.length !== b.cells.length) return false;
  return a.cells.every((x, i) => {
    const y = b.cells[i];
    return x === y || (x.row === y.row && x.col === y.col && x.rowspan === y.rowspan && x.colspan === y.colspan);
  });
}

function columnName(col: number): string {
  let name = "";
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** "B3", or "B3:C4" for a merged cell: the way spreadsheet users name cells. */
function cellName(cell: EditCell): string {
  const first = `${columnName(cell.col)}${cell.row + 1}`;
  if (cell.rowspan === 1 && cell.colspan === 1) return first;
  return `${first}:${columnName(cell.col + cell.colspan - 1)}${cell.row + cell.rowspan}`;
}

export class TableEditor {
  /** Toolbar, save status and the scrollable grid. */
  readonly root: HTMLElement;
  private readonly grid: HTMLTableElement;
  private readonly scroller: HTMLElement;
  private readonly nextButton: HTMLButtonElement;
  private readonly doubtfulCount: HTMLElement;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  private readonly mergeButton: HTMLButtonElement;
  private readonly splitButton: HTMLButtonElement;
  private readonly selectButton: HTMLButtonElement;
  private readonly headerSelect: HTMLSelectElement;
  private readonly saver: TableSaver;
  private readonly id = `grid-${++nextEditorId}`;

  private state: TableState;
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private cursor: Pos = { row: 0, col: 0 };
  /** The other corner of a range selection (shift+arrows / shift+click); null when one cell is selected. */
  private anchor: Pos | null = null;
  private editing: { row: number; col: number; input: HTMLTextAreaElement } | null = null;
  private selectMode = false;
  /** The grid position arrow keys travel along (inside a merged cell, the cursor names its top-left). */
  private travel: Pos | null = null;
  /** The state the grid shows, and the element drawn for each of its cells. */
  private drawn: TableState | null = null;
  private readonly cells = new Map<EditCell, HTMLTableCellElement>();
  /** Cells currently drawn as active or selected. */
  private painted: HTMLTableCellElement[] = [];
  /** The grid had the focus at least once (until then "next doubtful" starts with the cell the cursor is on). */
  private entered = false;

  constructor(
    table: PreviewTable,
    private readonly options: EditorOptions,
  ) {
    this.state = fromPreview(table);
    this.saver = new TableSaver({
      body: () => JSON.stringify(toSaveBody(this.state)),
      editing: () => this.editing !== null,
      changed: () => this.past.length > 0 || this.future.length > 0,
      save: options.save,
      serverCopy: (table) => this.showServerCopy(table),
      announce: options.announce,
      draft: options.draft,
    });
    this.root = el("div", "editor");

    // Toolbar: a labelled group of real buttons, each one tab stop; shortcuts are announced by aria-keyshortcuts.
    const toolbar = el("div", "editor-toolbar");
    toolbar.setAttribute("role", "group");
    toolbar.setAttribute("aria-label", "Edit the table");
    toolbar.setAttribute("aria-controls", this.id);

    const check = el("div", "toolbar-group");
    this.nextButton = button("Next doubtful cell", "next-doubtful", "button small doubtful-button");
    this.nextButton.setAttribute("aria-keyshortcuts", "Alt+N");
    this.nextButton.title = "Go to the next cell read with low confidence (Alt+N)";
    this.nextButton.addEventListener("click", () => this.nextDoubtful());
    this.doubtfulCount = el("span", "doubtful-count");
    this.doubtfulCount.dataset.testid = "doubtful-count";
    this.nextButton.setAttribute("aria-describedby", `${this.id}-count`);
    this.doubtfulCount.id = `${this.id}-count`;
    check.append(this.nextButton, this.doubtfulCount);

    const history = el("div", "toolbar-group");
    this.undoButton = button("Undo", "undo");
    this.undoButton.setAttribute("aria-keyshortcuts", isMac ? "Meta+Z" : "Control+Z");
    this.undoButton.title = `Undo (${MOD}+Z)`;
    this.undoButton.addEventListener("click", () => this.undo());
    this.redoButton = button("Redo", "redo");
    this.redoButton.setAttribute("aria-keyshortcuts", isMac ? "Meta+Shift+Z" : "Control+Y");
    this.redoButton.title = isMac ? "Redo (⌘+Shift+Z)" : "Redo (Ctrl+Y)";
    this.redoButton.addEventListener("click", () => this.redo());
    history.append(this.undoButton, this.redoButton);

    const structure = el("div", "toolbar-group");
    this.selectButton = button("Select cells", "select-mode", "button small touch-only");
    this.selectButton.setAttribute("aria-pressed", "false");
    this.selectButton.title = "While on, tapping cells selects a range to merge instead of editing";
    this.selectButton.addEventListener("click", () => this.toggleSelectMode());
    this.mergeButton = button("Merge cells", "merge");
    this.mergeButton.setAttribute("aria-keyshortcuts", "Alt+M");
    this.mergeButton.title = "Merge the selected cells (select with Shift+click or Shift+arrows; Alt+M)";
    this.mergeButton.addEventListener("click", () => this.mergeSelection());
    this.splitButton = button("Split cell", "split");
    this.splitButton.setAttribute("aria-keyshortcuts", "Alt+M");
    this.splitButton.title = "Split the merged cell back into single cells (Alt+M)";
    this.splitButton.addEventListener("click", () => this.splitActive());
    const headerLabel = el("label", "header-rows", "Header rows ");
    this.headerSelect = el("select");
    this.headerSelect.dataset.testid = "header-rows";
    this.headerSelect.addEventListener("change", () => {
      const n = Number(this.headerSelect.value);
      this.apply(setHeaderRows(this.state, n), `header rows set to ${n}`);
    });
    headerLabel.append(this.headerSelect);
    structure.append(this.selectButton, this.mergeButton, this.splitButton, headerLabel);


    toolbar.append(check, history, structure);

    const hint = el("p", "editor-hint");
    hint.id = `${this.id}-hint`;
    const keys = el(
      "span",
      "hint-keys",
      `Click or press Enter to edit a cell · Enter/Tab keep, Esc cancels · arrows move · ` +
        `Shift+click or Shift+arrows select cells to merge · ${MOD}+Z undo · Alt+N next doubtful cell`,
    );
    const touch = el(
      "span",
      "hint-touch",
      "Tap a cell to edit it · to merge, turn on “Select cells”, then tap the first and last cell",
    );
    hint.append(keys, touch);

    this.scroller = el("div", "table-scroll");
    this.scroller.setAttribute("role", "region");
    this.scroller.setAttribute("aria-label", `${options.caption}: editable preview`);
    this.grid = el("table", "preview-table editable");
    this.grid.id = this.id;
    this.grid.setAttribute("role", "grid");
    this.grid.setAttribute("aria-multiselectable", "true");
    this.grid.setAttribute("aria-describedby", hint.id);
    this.grid.createCaption().textContent = options.caption;
    this.grid.createTBody();
    this.scroller.append(this.grid);

    // Shared descriptions, so a cell's state is read out without adding words to its text.
    const descriptions = el("div", "visually-hidden");
    const percent = LOW_CONFIDENCE * 100;
    const doubtfulDesc = el("span", undefined, `Doubtful: read with less than ${percent}% confidence, or a total that does not add up; please check.`);
    doubtfulDesc.id = `${this.id}-doubtful`;
    const editedDesc = el("span", undefined, "Edited by you.");
    editedDesc.id = `${this.id}-edited`;
    descriptions.append(doubtfulDesc, editedDesc);

    this.root.append(toolbar, this.saver.element, this.scroller, hint, descriptions);

    this.grid.addEventListener("keydown", (e) => this.onGridKey(e));
    this.grid.addEventListener("mousedown", (e) => {
      // The click does the focusing: no native focus change (which would commit an open editor and redraw the
      // grid under the pointer) and no text selection on shift+click.
      if (!(e.target instanceof HTMLTextAreaElement)) e.preventDefault();
    });
    this.grid.addEventListener("click", (e) => this.onGridClick(e));
    this.root.addEventListener("keydown", (e) => this.onShortcut(e));
    this.grid.addEventListener("focusin", () => (this.entered = true));

    // Doubtful cells come first: the grid's tab stop starts on the first one.
    const firstDoubtful = this.state.cells.find(isDoubtful);
    if (firstDoubtful) this.cursor = { row: firstDoubtful.row, col: firstDoubtful.col };
    this.sync();
    this.updateToolbar();
    this.restoreDraft();
  }

  /** Edits that did not reach the server last time (kept in this browser) come back, and are saved now. */
  private restoreDraft(): void {
    const draft = this.options.draft;
    const restored = draft ? fromBody(draft.load(), this.state) : null;
    if (!restored || this.saver.holds(JSON.stringify(toSaveBody(restored)))) {
      draft?.clear();
      return;
    }
    this.past.push({ state: this.state, cursor: { ...this.cursor }, label: "restoring your unsaved edits" });
    this.state = restored;
    this.sync();
    this.updateToolbar();
    this.saver.restored();
  }

  /** After a save, the server's copy: shown if it differs from what the page shows (say, cleaned text). */
  private showServerCopy(table: PreviewTable): void {
    const { state, same } = reconcile(this.state, fromPreview(table));
    if (same) return;
    this.state = state;
    this.afterChange();
  }

  /** Save now (an open cell editor is committed first); resolves once the server holds what is shown. */
  flush(): Promise<void> {
    if (this.editing) this.commitEdit(null, false);
    return this.saver.flush();
  }

  /** Rows of text for CSV and copy: always the table as currently shown, edits included. */
  rows(): string[][] {
    return stateRows(this.state);
  }

  get size(): { rows: number; cols: number } {
    return { rows: this.state.rows, cols: this.state.cols };
  }

  /** True while something the user did is not on the server yet. */
  get unsaved(): boolean {
    if (this.editing) {
      const cell = cellAt(this.state, this.editing.row, this.editing.col);
      if (this.editing.input.value !== cell.text) return true;
    }
    return this.saver.unsaved;
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  private selection(): Rect {
    return expandRect(this.state, this.anchor ?? this.cursor, this.cursor);
  }

  private isRange(rect: Rect): boolean {
    const cell = cellAt(this.state, rect.r0, rect.c0);
    return rect.r1 - rect.r0 + 1 !== cell.rowspan || rect.c1 - rect.c0 + 1 !== cell.colspan;
  }

  /** Brings the grid in line with the state: the changed cells only when the layout is the same. */
  private sync(): void {
    const drawn = this.drawn;
    const next = this.state;
    if (drawn && sameLayout(drawn, next)) {
      drawn.cells.forEach((old, i) => {
        const cell = next.cells[i];
        if (old === cell) return;
        const td = this.cells.get(old)!;
        this.cells.delete(old);
        this.cells.set(cell, td);
        this.fill(td, cell);
      });
    } else this.build();
    this.drawn = next;
    this.paint();
  }

  /** Draws every cell anew (after a merge, a split, a header change). */
  private build(): void {
    const hadFocus = this.grid.contains(document.activeElement);
    this.cells.clear();
    this.painted = [];
    const rows: HTMLTableRowElement[] = [];
    this.grid.setAttribute("aria-rowcount", String(this.state.rows));
    this.grid.setAttribute("aria-colcount", String(this.state.cols));
    let index = 0;
    for (let r = 0; r < this.state.rows; r++) {
      const tr = el("tr");
      tr.setAttribute("aria-rowindex", String(r + 1));
      const header = r < this.state.nHeaderRows;
      if (header) tr.className = "header-row";
      for (; index < this.state.cells.length && this.state.cells[index].row === r; index++) {
        const cell = this.state.cells[index];
        const td = el(header ? "th" : "td");
        if (header) {
          td.setAttribute("scope", cell.colspan > 1 ? "colgroup" : "col");
          td.setAttribute("role", "columnheader");
        } else td.setAttribute("role", "gridcell");
        td.dataset.row = String(cell.row);
        td.dataset.col = String(cell.col);
        td.setAttribute("aria-colindex", String(cell.col + 1));
        if (cell.rowspan > 1) td.rowSpan = cell.rowspan;
        if (cell.colspan > 1) td.colSpan = cell.colspan;
        td.tabIndex = -1;
        td.setAttribute("aria-selected", "false");
        this.fill(td, cell);
        this.cells.set(cell, td);
        tr.append(td);
      }
      rows.push(tr);
    }
    this.grid.tBodies[0].replaceChildren(...rows);
    if (hadFocus) this.focusActive();
  }

  /** A cell's text and marks (doubtful, edited); also closes an editor open in it. */
  private fill(td: HTMLTableCellElement, cell: EditCell): void {
    td.textContent = cell.text;
    td.classList.remove("editing");
    const doubtful = isDoubtful(cell);
    const edited = isEdited(cell);
    td.classList.toggle("low-confidence", doubtful);
    td.classList.toggle("edited", edited);
    if (doubtful) td.title = doubtReason(cell);
    else td.removeAttribute("title");
    if (edited) td.dataset.edited = "true";
    else delete td.dataset.edited;
    const described = [doubtful && `${this.id}-doubtful`, edited && `${this.id}-edited`].filter(Boolean);
    if (described.length) td.setAttribute("aria-describedby", described.join(" "));
    else td.removeAttribute("aria-describedby");
  }

  /** The active cell (the grid's one tab stop) and the selected range, touching only the cells that change. */
  private paint(): void {
    const hadFocus = this.grid.contains(document.activeElement);
    for (const td of this.painted) {
      td.classList.remove("selected", "active");
      td.setAttribute("aria-selected", "false");
      td.tabIndex = -1;
    }
    this.painted = [];
    const rect = this.selection();
    if (this.isRange(rect)) {
      for (let r = rect.r0; r <= rect.r1; r++)
        for (let c = rect.c0; c <= rect.c1; c++) {
          const cell = cellAt(this.state, r, c);
          if (cell.row !== r || cell.col !== c) continue;
          const td = this.cells.get(cell)!;
          td.classList.add("selected");
          td.setAttribute("aria-selected", "true");
          this.painted.push(td);
        }
    }
    const active = this.cells.get(cellAt(this.state, this.cursor.row, this.cursor.col))!;
    active.tabIndex = 0;
    active.classList.add("active");
    active.setAttribute("aria-selected", "true");
    this.painted.push(active);
    if (hadFocus) this.focusActive();
  }

  private cellElement(cell: EditCell): HTMLTableCellElement | null {
    return this.cells.get(cell) ?? null;
  }

  private focusActive(): void {
    const td = this.cellElement(cellAt(this.state, this.cursor.row, this.cursor.col));
    td?.focus({ preventScroll: true });
    td?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  private updateToolbar(): void {
    const doubtful = this.state.cells.filter(isDoubtful).length;
    this.doubtfulCount.textContent =
      doubtful === 0
        ? "No doubtful cells left"
        : doubtful === 1
          ? "1 doubtful cell to check"
          : `${doubtful} doubtful cells to check`;
    this.doubtfulCount.dataset.count = String(doubtful);
    this.nextButton.disabled = doubtful === 0;
    this.undoButton.disabled = this.past.length === 0;
    this.redoButton.disabled = this.future.length === 0;
    const lastDone = this.past[this.past.length - 1];
    const lastUndone = this.future[this.future.length - 1];
    this.undoButton.setAttribute("aria-label", lastDone ? `Undo ${lastDone.label}` : "Undo");
    this.redoButton.setAttribute("aria-label", lastUndone ? `Redo ${lastUndone.label}` : "Redo");
    const rect = this.selection();
    this.mergeButton.disabled = !this.isRange(rect);
    const active = cellAt(this.state, this.cursor.row, this.cursor.col);
    this.splitButton.disabled = active.rowspan === 1 && active.colspan === 1;
    const most = Math.min(this.state.rows, Math.max(10, this.state.nHeaderRows));
    if (this.headerSelect.options.length !== most + 1) {
      this.headerSelect.replaceChildren(
        ...Array.from({ length: most + 1 }, (_, n) => {
          const option = el("option", undefined, String(n));
          option.value = String(n);
          return option;
        }),
      );
    }
    this.headerSelect.value = String(this.state.nHeaderRows);
  }

  // ---- changes and history ---------------------------------------------------------------------------------

  private apply(next: TableState, label: string, cursor?: Pos): boolean {
    if (next === this.state) {
      this.updateToolbar();
      return false;
    }
    this.past.push({ state: this.state, cursor: { ...this.cursor }, label });
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.state = next;
    if (cursor) this.cursor = cursor;
    this.anchor = null;
    this.afterChange();
    return true;
  }

  private afterChange(): void {
    const { row, col } = this.cursor;
    this.cursor = { row: Math.min(row, this.state.rows - 1), col: Math.min(col, this.state.cols - 1) };
    const owner = cellAt(this.state, this.cursor.row, this.cursor.col);
    this.cursor = { row: owner.row, col: owner.col };
    this.sync();
    this.updateToolbar();
    this.saver.schedule();
  }

  undo(): void {
    if (this.editing) this.cancelEdit();
    const entry = this.past.pop();
    if (!entry) return;
    this.future.push({ state: this.state, cursor: { ...this.cursor }, label: entry.label });
    this.state = entry.state;
    this.cursor = entry.cursor;
    this.anchor = null;
    this.afterChange();
    this.focusActive();
    this.options.announce(`Undone: ${entry.label}.`);
  }

  redo(): void {
    if (this.editing) this.cancelEdit();
    const entry = this.future.pop();
    if (!entry) return;
    this.past.push({ state: this.state, cursor: { ...this.cursor }, label: entry.label });
    this.state = entry.state;
    this.cursor = entry.cursor;
    this.anchor = null;
    this.afterChange();
    this.focusActive();
    this.options.announce(`Redone: ${entry.label}.`);
  }

  private mergeSelection(): void {
    if (this.editing) this.commitEdit(null);
    const rect = this.selection();
    if (!this.isRange(rect)) {
      this.options.announce("Select two or more cells to merge (Shift+click or Shift+arrow keys).");
      return;
    }
    const corner = cellAt(this.state, rect.r0, rect.c0);
    const name = cellName({ ...corner, rowspan: rect.r1 - rect.r0 + 1, colspan: rect.c1 - rect.c0 + 1 });
    if (this.selectMode) this.toggleSelectMode(); // the range is used up; taps edit again
    if (this.apply(merge(this.state, rect), `merge of ${name}`, { row: rect.r0, col: rect.c0 })) {
      this.focusActive();
      this.options.announce(`Merged ${name}.`);
    }
  }

  private splitActive(): void {
    if (this.editing) this.commitEdit(null);
    const cell = cellAt(this.state, this.cursor.row, this.cursor.col);
    if (this.apply(split(this.state, cell.row, cell.col), `split of ${cellName(cell)}`, { row: cell.row, col: cell.col })) {
      this.focusActive();
      this.options.announce(`Split ${cellName(cell)} into single cells.`);
    }
  }

  private toggleSelectMode(): void {
    if (this.editing) this.commitEdit(null, false);
    this.selectMode = !this.selectMode;
    this.selectButton.setAttribute("aria-pressed", String(this.selectMode));
    this.root.classList.toggle("selecting", this.selectMode);
    this.anchor = null;
    this.paint();
    this.updateToolbar();
    if (this.selectMode) this.options.announce("Tap the first and the last cell of the range to merge.");
  }

  private nextDoubtful(): void {
    if (this.editing) this.commitEdit(null);
    const doubtful = this.state.cells.filter(isDoubtful);
    if (!doubtful.length) {
      this.options.announce("No doubtful cells left.");
      return;
    }
    const { row, col } = this.cursor;
    const after = (c: EditCell) => c.row > row || (c.row === row && (this.entered ? c.col > col : c.col >= col));
    const target = doubtful.find(after) ?? doubtful[0];
    this.moveTo({ row: target.row, col: target.col }, false);
    this.options.announce(`${cellName(target)}: ${target.text}. ${this.doubtfulCount.textContent}.`);
  }

  // ---- moving around ---------------------------------------------------------------------------------------

  private moveTo(pos: Pos, extend: boolean): void {
    this.travel = null;
    if (extend) this.anchor ??= { ...this.cursor };
    else this.anchor = null;
    const owner = cellAt(this.state, pos.row, pos.col);
    // A range's moving corner may sit inside a merged cell; a single active cell is named by its top-left.
    this.cursor = extend ? pos : { row: owner.row, col: owner.col };
    this.paint();
    this.updateToolbar();
    this.focusActive();
  }

  private step(dr: number, dc: number, extend: boolean): void {
    const cell = cellAt(this.state, this.cursor.row, this.cursor.col);
    // Leaving a merged cell sideways continues along the row (or column) it was entered by.
    const t = this.travel;
    const inside =
      t &&
      !extend &&
      t.row >= cell.row &&
      t.row < cell.row + cell.rowspan &&
      t.col >= cell.col &&
      t.col < cell.col + cell.colspan;
    let { row, col } = inside ? t : this.cursor;
    if (dr > 0) row = extend ? row + 1 : cell.row + cell.rowspan;
    if (dr < 0) row = extend ? row - 1 : cell.row - 1;
    if (dc > 0) col = extend ? col + 1 : cell.col + cell.colspan;
    if (dc < 0) col = extend ? col - 1 : cell.col - 1;
    if (row < 0 || col < 0 || row >= this.state.rows || col >= this.state.cols) return;
    this.moveTo({ row, col }, extend);
    if (!extend) this.travel = { row, col };
  }

  /** The next/previous cell in reading order; false at either end of the table. */
  private neighbour(forward: boolean): Pos | null {
    const cells = this.state.cells;
    const here = cells.indexOf(cellAt(this.state, this.cursor.row, this.cursor.col));
    const next = cells[here + (forward ? 1 : -1)];
    return next ? { row: next.row, col: next.col } : null;
  }

  private onGridKey(e: KeyboardEvent): void {
    if (e.target instanceof HTMLTextAreaElement) return; // the cell editor handles its own keys
    const mod = e.ctrlKey || e.metaKey;
    const extend = e.shiftKey;
    let handled = true;
    switch (e.key) {
      case "ArrowUp":
        this.step(-1, 0, extend);
        break;
      case "ArrowDown":
        this.step(1, 0, extend);
        break;
      case "ArrowLeft":
        this.step(0, -1, extend);
        break;
      case "ArrowRight":
        this.step(0, 1, extend);
        break;
      case "Home":
        this.moveTo({ row: mod ? 0 : this.cursor.row, col: 0 }, extend);
        break;
      case "End":
        this.moveTo({ row: mod ? this.state.rows - 1 : this.cursor.row, col: this.state.cols - 1 }, extend);
        break;
      case "PageDown":
        this.moveTo({ row: Math.min(this.state.rows - 1, this.cursor.row + 10), col: this.cursor.col }, extend);
        break;
      case "PageUp":
        this.moveTo({ row: Math.max(0, this.cursor.row - 10), col: this.cursor.col }, extend);
        break;
      case "Enter":
      case "F2":
        if (mod || e.altKey) handled = false;
        else this.startEdit();
        break;
      case "Escape":
        if (this.anchor) this.moveTo(this.cursor, false);
        else handled = false;
        break;
      case "Delete":
      case "Backspace":
        this.clearSelection();
        break;
      default:
        if (e.key.length === 1 && !mod && !e.altKey && e.key !== " ") this.startEdit(e.key);
        else if (e.key === " " && !mod && !e.altKey && !e.shiftKey) this.startEdit(" ");
        else handled = false;
    }
    if (handled) e.preventDefault();
  }

  private clearSelection(): void {
    const rect = this.selection();
    let next = this.state;
    for (const cell of this.state.cells)
      if (cell.row >= rect.r0 && cell.row <= rect.r1 && cell.col >= rect.c0 && cell.col <= rect.c1)
        next = setText(next, cell.row, cell.col, "");
    const name = this.isRange(rect) ? "cells" : cellName(cellAt(this.state, this.cursor.row, this.cursor.col));
    this.apply(next, `clearing ${name}`, this.cursor);
    this.focusActive();
  }

  private onGridClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    if (target instanceof HTMLTextAreaElement) return;
    const td = target.closest<HTMLTableCellElement>("td[data-row], th[data-row]");
    if (!td || !this.grid.contains(td)) return;
    const pos = { row: Number(td.dataset.row), col: Number(td.dataset.col) };
    if (this.editing) this.commitEdit(null, false);
    if (this.selectMode && !this.anchor) {
      // Select mode (phones): the first tap starts a range, the next ones stretch it.
      this.moveTo(pos, false);
      this.anchor = { ...this.cursor };
      return;
    }
    if (e.shiftKey || this.selectMode) {
      this.moveTo(pos, true);
      return;
    }
    this.moveTo(pos, false);
    this.startEdit();
  }

  /** Ctrl/Cmd+Z, Ctrl+Y, Alt+N, Alt+M anywhere in this table's editor (grid or toolbar). */
  private onShortcut(e: KeyboardEvent): void {
    if (e.target instanceof HTMLTextAreaElement) return; // text undo inside the cell editor stays native
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && !e.altKey && key === "z") {
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
    } else if (mod && !e.altKey && !e.shiftKey && key === "y") {
      e.preventDefault();
      this.redo();
    } else if (e.altKey && !mod && e.code === "KeyN") {
      e.preventDefault();
      this.nextDoubtful();
    } else if (e.altKey && !mod && e.code === "KeyM") {
      e.preventDefault();
      if (this.isRange(this.selection())) this.mergeSelection();
      else this.splitActive();
    }
  }

  // ---- editing a cell --------------------------------------------------------------------------------------

  private startEdit(initial?: string, selectAll = false): void {
    if (this.editing) return;
    this.anchor = null;
    const cell = cellAt(this.state, this.cursor.row, this.cursor.col);
    this.paint();
    this.updateToolbar();
    const td = this.cellElement(cell);
    if (!td) return;
    const input = el("textarea", "cell-input");
    input.dataset.testid = "cell-editor";
    input.value = initial ?? cell.text;
    input.maxLength = MAX_TEXT;
    input.rows = Math.max(1, input.value.split("\n").length);
    input.spellcheck = false;
    input.setAttribute("aria-label", `Edit cell ${cellName(cell)}`);
    input.setAttribute("aria-describedby", `${this.id}-hint`);
    td.replaceChildren(input);
    td.classList.add("editing");
    this.editing = { row: cell.row, col: cell.col, input };
    input.focus({ preventScroll: true });
    td.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (selectAll) input.select();
    else input.setSelectionRange(input.value.length, input.value.length);
    input.addEventListener("keydown", (e) => this.onEditorKey(e, input));
    input.addEventListener("input", () => (input.rows = Math.max(1, input.value.split("\n").length)));
    input.addEventListener("blur", () => {
      if (this.editing?.input === input) this.commitEdit(null, false);
    });
    this.saver.schedule(); // an open editor counts as unsaved; the timer restarts when it closes
  }

  private onEditorKey(e: KeyboardEvent, input: HTMLTextAreaElement): void {
    e.stopPropagation();
    if (e.key === "Enter" && (e.altKey || e.shiftKey)) {
      e.preventDefault();
      input.setRangeText("\n", input.selectionStart, input.selectionEnd, "end");
      input.dispatchEvent(new Event("input"));
    } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.commitEdit("down");
    } else if (e.key === "Tab") {
      e.preventDefault();
      this.commitEdit(e.shiftKey ? "previous" : "next");
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.cancelEdit();
    }
  }

  /** Keep the typed text; then move (Enter: down, Tab: on to the next cell, which opens for typing). */
  private commitEdit(move: "down" | "next" | "previous" | null, refocus = true): void {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    const cell = cellAt(this.state, editing.row, editing.col);
    const next = setText(this.state, editing.row, editing.col, editing.input.value);
    const changed = this.apply(next, `edit of ${cellName(cell)}`, { row: editing.row, col: editing.col });
    if (!changed) {
      this.fill(this.cellElement(cell)!, cell);
      this.saver.schedule();
    }
    if (move === "down") {
      const below = cell.row + cell.rowspan;
      if (below < this.state.rows) this.moveTo({ row: below, col: this.cursor.col }, false);
    } else if (move === "next" || move === "previous") {
      const pos = this.neighbour(move === "next");
      if (pos) {
        this.moveTo(pos, false);
        this.startEdit(undefined, true);
        return;
      }
    }
    if (refocus) this.focusActive();
  }

  private cancelEdit(): void {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    const cell = cellAt(this.state, editing.row, editing.col);
    this.fill(this.cellElement(cell)!, cell);
    this.focusActive();
    this.saver.schedule();
  }
}
