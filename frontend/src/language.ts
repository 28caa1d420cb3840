// The picture's language: a picker in the intake, remembered in localStorage, sent with every new job.
// The server reads the text in that language and types numbers and dates by its conventions
// (1.234,56 in German); codes are the server's (img2xlsx/languages.py), English by default.

export const LANGUAGES: ReadonlyArray<readonly [code: string, label: string]> = [
  ["eng", "English"],
  ["deu", "Deutsch"],
  ["fra", "Français"],
  ["spa", "Español"],
  ["ita", "Italiano"],
  ["por", "Português"],
  ["nld", "Nederlands"],
  ["vie", "Tiếng Việt"],
];
export const DEFAULT_LANGUAGE = "eng";
const STORAGE_KEY = "img2xlsx.language";

const known = (code: string | null): code is string => LANGUAGES.some(([c]) => c === code);

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode, sandboxed frame): the default still works
  }
}

/** The chosen language code; the default when nothing (or something stale) was stored. */
export function currentLanguage(): string {
  const code = stored();
  return known(code) ? code : DEFAULT_LANGUAGE;
}

export function rememberLanguage(code: string): void {
  if (!known(code)) return;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    /* not remembered, still used for this page */
  }
}

/** A labelled <select> appended to `parent`, showing and saving the remembered choice. */
export function mountLanguagePicker(parent: Element): HTMLSelectElement {
  const label = document.createElement("label");
  label.className = "language-picker";
  label.textContent = "Language of the table ";
  const select = document.createElement("select");
  select.id = "language";
  select.name = "language";
  select.dataset.testid = "language";
  for (const [code, name] of LANGUAGES) select.add(new Option(name, code));
  select.value = currentLanguage();
  select.addEventListener("change", () => rememberLanguage(select.value));
  label.append(select);
  parent.append(label);
  return select;
}
