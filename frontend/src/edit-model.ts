// An editable table: immutable states (so Undo/Redo is a stack of snapshots), the edits a user can make
// (text, merge, split, header rows) and the body of the save request (PUT /jobs/{id}/tables/{n}).
import type { PreviewTable } from "./api";
import { LOW_CONFIDENCE } from "./tables";

/** Limits of the save route (docs: edit-api); a table beyond them is shown read-only. */
export const MAX_SIDE = 500;
export const MAX_CELLS = 10_000;
export const MAX_TEXT = 2000;

export interface EditCell {
  readonly row: number;
  readonly col: number;
  readonly rowspan: number;
  readonly colspan: number;
  readonly text: string;
  /** The text as recognised (or as saved before this page was loaded); an edit is a difference from it. */
  readonly original: string;
  readonly confidence: number | null;
  /** A failed check of the recognised table (a total that does not add up): doubtful though read with confidence. */
  readonly check: string | null;
  /** The server already marks this cell as edited (a save made before this page was loaded). */
  readonly savedEdit: boolean;
  /** Made by a merge or a split here. */
  readonly restructured: boolean;
}

export interface TableState {
  readonly rows: number;
  readonly cols: number;
  readonly nHeaderRows: number;
  /** Top-left cells of every range, row-major; together they cover the grid exactly once. */
  readonly cells: readonly EditCell[];
}

export interface Rect {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

export interface SaveBody {
  nRows: number;
  nCols: number;
  nHeaderRows: number;
  cells: { row: number; col: number; rowspan: number; colspan: number; text: string }[];
}

export function isEdited(cell: EditCell): boolean {
  return cell.savedEdit || cell.restructured || cell.text !== cell.original;
}

/** Doubtful = read with low confidence and not yet fixed by the user. */
export function isDoubtful(cell: EditCell): boolean {
  return (
    !isEdited(cell) &&
    ((cell.check !== null && cell.check !== "") ||
      (cell.confidence !== null && cell.confidence < LOW_CONFIDENCE && cell.text.trim() !== ""))
  );
}

export function isEditable(table: PreviewTable): boolean {
  const state = fromPreview(table);
  const { rows, cols } = state;
  return rows >= 1 && cols >= 1 && rows <= MAX_SIDE && cols <= MAX_SIDE && rows * cols <= MAX_CELLS;
}

/** The preview JSON's table as a state: overlapping cells dropped (as the writers do), holes filled. */
export function fromPreview(table: PreviewTable): TableState {
  let rows = table.n_rows ?? 0;
  let cols = table.n_cols ?? 0;
  for (const cell of table.cells) {
    rows = Math.max(rows, cell.row + (cell.rowspan ?? 1));
    cols = Math.max(cols, cell.col + (cell.colspan ?? 1));
  }
  const taken = new Uint8Array(rows * cols);
  const cells: EditCell[] = [];
  const sorted = [...table.cells].sort((a, b) => a.row - b.row || a.col - b.col);
  for (const cell of sorted) {
    if (cell.row < 0 || cell.col < 0 || taken[cell.row * cols + cell.col]) continue;
    let rowspan = Math.max(1, Math.min(cell.rowspan ?? 1, rows - cell.row));
    let colspan = Math.max(1, Math.min(cell.colspan ?? 1, cols - cell.col));
    let free = true;
    for (let r = cell.row; r < cell.row + rowspan && free; r++)
      for (let c = cell.col; c < cell.col + colspan; c++) if (taken[r * cols + c]) free = false;
    if (!free) rowspan = colspan = 1;
    for (let r = cell.row; r < cell.row + rowspan; r++)
      for (let c = cell.col; c < cell.col + colspan; c++) taken[r * cols + c] = 1;
    const text = cell.text ?? "";
    const edited = cell.edited === true;
    cells.push({
      row: cell.row,
      col: cell.col,
      rowspan,
      colspan,
      text,
      original: text,
      confidence: typeof cell.confidence === "number" && !edited ? cell.confidence : null,
      check: typeof cell.check === "string" && cell.check && !edited ? cell.check : null,
      savedEdit: edited,
      restructured: false,
    });
  }
  for (let i = 0; i < rows * cols; i++) if (!taken[i]) cells.push(blank(Math.floor(i / cols), i % cols));
  const nHeaderRows = Math.max(0, Math.min(rows, table.n_header_rows ?? 0));
  return { rows, cols, nHeaderRows, cells: sortCells(cells) };
}

function blank(row: number, col: number): EditCell {
  const empty = { text: "", original: "", confidence: null, check: null, savedEdit: false, restructured: false };
  return { row, col, rowspan: 1, colspan: 1, ...empty };
}

function sortCells(cells: EditCell[]): EditCell[] {
  return cells.sort((a, b) => a.row - b.row || a.col - b.col);
}

const owners = new WeakMap<TableState, Int32Array>();

/** Index (into state.cells) of the cell covering each grid position. */
export function ownerMap(state: TableState): Int32Array {
  let map = owners.get(state);
  if (!map) {
    map = new Int32Array(state.rows * state.cols).fill(-1);
    state.cells.forEach((cell, i) => {
      for (let r = cell.row; r < cell.row + cell.rowspan; r++)
        for (let c = cell.col; c < cell.col + cell.colspan; c++) map![r * state.cols + c] = i;
    });
    owners.set(state, map);
  }
  return map;
}

export function cellAt(state: TableState, row: number, col: number): EditCell {
  return state.cells[ownerMap(state)[row * state.cols + col]];
}

/** The smallest rectangle holding both corners and every merged cell it touches (what Merge acts on). */
export function expandRect(state: TableState, a: { row: number; col: number }, b: { row: number; col: number }): Rect {
  const rect = {
    r0: Math.min(a.row, b.row),
    c0: Math.min(a.col, b.col),
    r1: Math.max(a.row, b.row),
    c1: Math.max(a.col, b.col),
  };
  for (let grown = true; grown; ) {
    grown = false;
    for (let r = rect.r0; r <= rect.r1; r++)
      for (let c = rect.c0; c <= rect.c1; c++) {
        const cell = cellAt(state, r, c);
        const r1 = cell.row + cell.rowspan - 1;
        const c1 = cell.col + cell.colspan - 1;
        if (cell.row < rect.r0 || cell.col < rect.c0 || r1 > rect.r1 || c1 > rect.c1) {
          rect.r0 = Math.min(rect.r0, cell.row);
          rect.c0 = Math.min(rect.c0, cell.col);
          rect.r1 = Math.max(rect.r1, r1);
          rect.c1 = Math.max(rect.c1, c1);
          grown = true;
        }
      }
  }
  return rect;
}

/** Text without the control characters the server refuses (newlines and tabs stay), cut to the limit. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").slice(0, MAX_TEXT);
}

export function setText(state: TableState, row: number, col: number, text: string): TableState {
  const index = ownerMap(state)[row * state.cols + col];
  const cell = state.cells[index];
  const clean = cleanText(text);
  if (cell.text === clean) return state;
  const cells = state.cells.slice();
  cells[index] = { ...cell, text: clean };
  return { ...state, cells };
}

export function merge(state: TableState, rect: Rect): TableState {
  const inside = state.cells.filter((c) => c.row >= rect.r0 && c.row <= rect.r1 && c.col >= rect.c0 && c.col <= rect.c1);
  if (inside.length < 2) return state;
  const join = (texts: string[]) => texts.map((t) => t.trim()).filter(Boolean).join(" ");
  const confidences = inside.map((c) => c.confidence).filter((c): c is number => c !== null);
  const merged: EditCell = {
    row: rect.r0,
    col: rect.c0,
    rowspan: rect.r1 - rect.r0 + 1,
    colspan: rect.c1 - rect.c0 + 1,
    text: cleanText(join(inside.map((c) => c.text))),
    original: join(inside.map((c) => c.original)),
    confidence: confidences.length ? Math.min(...confidences) : null,
    check: inside.find((c) => c.check)?.check ?? null,
    savedEdit: inside.some((c) => c.savedEdit),
    restructured: true,
  };
  const outside = state.cells.filter((c) => !inside.includes(c));
  return { ...state, cells: sortCells([...outside, merged]) };
}

export function split(state: TableState, row: number, col: number): TableState {
  const cell = cellAt(state, row, col);
  if (cell.rowspan === 1 && cell.colspan === 1) return state;
  const pieces: EditCell[] = [];
  for (let r = cell.row; r < cell.row + cell.rowspan; r++)
    for (let c = cell.col; c < cell.col + cell.colspan; c++)
      pieces.push(r === cell.row && c === cell.col ? { ...cell, rowspan: 1, colspan: 1, restructured: true } : blank(r, c));
  return { ...state, cells: sortCells([...state.cells.filter((c) => c !== cell), ...pieces]) };
}

export function setHeaderRows(state: TableState, n: number): TableState {
  const clamped = Math.max(0, Math.min(state.rows, Math.floor(n)));
  return clamped === state.nHeaderRows ? state : { ...state, nHeaderRows: clamped };
}

export function toSaveBody(state: TableState): SaveBody {
  return {
    nRows: state.rows,
    nCols: state.cols,
    nHeaderRows: state.nHeaderRows,
    cells: state.cells.map(({ row, col, rowspan, colspan, text }) => ({ row, col, rowspan, colspan, text })),
  };
}

/** Rows of text, a merged cell's text in its top-left position only (what a spreadsheet paste expects). */
export function stateRows(state: TableState): string[][] {
  const rows = Array.from({ length: state.rows }, () => new Array<string>(state.cols).fill(""));
  for (const cell of state.cells) rows[cell.row][cell.col] = cell.text;
  return rows;
}

/**
 * After a save, the server's copy of the table: keep what the user sees (and the undo history) when it holds
 * the same cells and texts, only taking its marks (edited, confidence); otherwise the server's copy wins.
 */
export function reconcile(local: TableState, server: TableState): { state: TableState; same: boolean } {
  const same =
    local.rows === server.rows &&
    local.cols === server.cols &&
    local.nHeaderRows === server.nHeaderRows &&
    local.cells.length === server.cells.length &&
    local.cells.every((c, i) => {
      const s = server.cells[i];
      return c.row === s.row && c.col === s.col && c.rowspan === s.rowspan && c.colspan === s.colspan && c.text === s.text;
    });
  return { state: same ? local : server, same };
}

/**
 * A saved-elsewhere body (a draft kept in this browser) laid over the server's table; null if it does not
 * fit (another shape, holes or overlaps, bad values), in which case it is ignored.
 */
export function fromBody(body: unknown, base: TableState): TableState | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Partial<SaveBody>;
  const rows = b.nRows;
  const cols = b.nCols;
  const nHeaderRows = b.nHeaderRows;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || !Number.isInteger(nHeaderRows) || !Array.isArray(b.cells))
    return null;
  if (rows! < 1 || cols! < 1 || rows! > MAX_SIDE || cols! > MAX_SIDE || rows! * cols! > MAX_CELLS) return null;
  if (nHeaderRows! < 0 || nHeaderRows! > rows!) return null;
  const taken = new Uint8Array(rows! * cols!);
  const cells: EditCell[] = [];
  for (const c of b.cells) {
    if (!c || typeof c.text !== "string") return null;
    const { row, col, rowspan, colspan } = c;
    if (![row, col, rowspan, colspan].every(Number.isInteger) || row < 0 || col < 0 || rowspan < 1 || colspan < 1)
      return null;
    if (row + rowspan > rows! || col + colspan > cols!) return null;
    for (let r = row; r < row + rowspan; r++)
      for (let k = col; k < col + colspan; k++) {
        if (taken[r * cols! + k]) return null;
        taken[r * cols! + k] = 1;
      }
    const same =
      base.rows === rows && base.cols === cols ? cellAt(base, row, col) : undefined;
    const kept = same && same.row === row && same.col === col && same.rowspan === rowspan && same.colspan === colspan;
    cells.push({
      row,
      col,
      rowspan,
      colspan,
      text: cleanText(c.text),
      original: kept ? same.original : "",
      confidence: kept ? same.confidence : null,
      check: kept ? same.check : null,
      savedEdit: kept ? same.savedEdit : false,
      restructured: !kept,
    });
  }
  if (taken.includes(0)) return null;
  return { rows: rows!, cols: cols!, nHeaderRows: nHeaderRows!, cells: sortCells(cells) };
}
