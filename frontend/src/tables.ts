// A recognised table as the page shows it (merged cells merged, doubtful cells marked) and as text exports.
import type { PreviewCell, PreviewTable } from "./api";

/** Cells read with less confidence than this are highlighted for checking. */
export const LOW_CONFIDENCE = 0.6;

export interface Grid {
  rows: number;
  cols: number;
  /** owner[r][c]: the cell covering grid position (r, c), if any. */
  owner: (PreviewCell | undefined)[][];
}

export function toGrid(table: PreviewTable): Grid {
  let rows = table.n_rows ?? 0;
  let cols = table.n_cols ?? 0;
  for (const cell of table.cells) {
    rows = Math.max(rows, cell.row + (cell.rowspan ?? 1));
    cols = Math.max(cols, cell.col + (cell.colspan ?? 1));
  }
  const owner: (PreviewCell | undefined)[][] = Array.from({ length: rows }, () => new Array(cols).fill(undefined));
  for (const cell of table.cells) {
    for (let r = cell.row; r < Math.min(rows, cell.row + (cell.rowspan ?? 1)); r++)
      for (let c = cell.col; c < Math.min(cols, cell.col + (cell.colspan ?? 1)); c++) owner[r][c] ??= cell;
  }
  return { rows, cols, owner };
}

/** Rows of text, a merged cell's text in its top-left position only (what a spreadsheet paste expects). */
export function toRows(grid: Grid): string[][] {
  return grid.owner.map((row, r) =>
    row.map((cell, c) => (cell && cell.row === r && cell.col === c ? (cell.text ?? "") : "")),
  );
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Tab-separated, the format spreadsheets paste into cells; tabs/newlines inside a cell become spaces. */
export function toTsv(rows: string[][]): string {
  return rows.map((row) => row.map((t) => t.replace(/[\t\r\n]+/g, " ")).join("\t")).join("\n") + "\n";
}

export function isLowConfidence(cell: PreviewCell): boolean {
  if (typeof cell.check === "string" && cell.check) return true;
  return typeof cell.confidence === "number" && (cell.text ?? "").trim() !== "" && cell.confidence < LOW_CONFIDENCE;
}

/** The tooltip of a doubtful cell: the failed check, else the confidence it was read with. */
export function doubtReason(cell: { check?: string | null; confidence?: number | null }): string {
  if (cell.check) return cell.check;
  return `Read with ${Math.round((cell.confidence ?? 0) * 100)}% confidence — please check`;
}

export function renderTable(table: PreviewTable, caption: string): HTMLTableElement {
  const grid = toGrid(table);
  const el = document.createElement("table");
  el.className = "preview-table";
  const cap = el.createCaption();
  cap.textContent = caption;
  const body = el.createTBody();
  for (let r = 0; r < grid.rows; r++) {
    const tr = body.insertRow();
    for (let c = 0; c < grid.cols; c++) {
      const cell = grid.owner[r][c];
      if (cell && (cell.row !== r || cell.col !== c)) continue; // covered by a merged cell
      const td = document.createElement(cell?.header ? "th" : "td");
      if (cell?.header) td.setAttribute("scope", (cell.colspan ?? 1) > 1 ? "colgroup" : "col");
      td.dataset.row = String(r);
      td.dataset.col = String(c);
      if (cell) {
        td.textContent = cell.text ?? "";
        if ((cell.rowspan ?? 1) > 1) td.rowSpan = cell.rowspan!;
        if ((cell.colspan ?? 1) > 1) td.colSpan = cell.colspan!;
        if (isLowConfidence(cell)) {
          td.classList.add("low-confidence");
          td.title = doubtReason(cell);
        }
      }
      tr.appendChild(td);
    }
  }
  return el;
}
