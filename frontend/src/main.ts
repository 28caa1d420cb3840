// Intake: drop zone, file picker, camera and clipboard paste all feed the same list of file cards.
import "./style.css";
import { FileCard, hasUnsavedEdits } from "./card";
import { loadConfig } from "./api";
import { recentJobs } from "./recent";
import { mountLanguagePicker } from "./language";

const dropzone = document.getElementById("dropzone")!;
const fileInput = document.getElementById("file-input") as HTMLInputElement;
const cameraInput = document.getElementById("camera-input") as HTMLInputElement;
const cards = document.getElementById("cards")!;
const announcer = document.getElementById("announcer")!;
mountLanguagePicker(dropzone);

function announce(message: string): void {
  announcer.textContent = "";
  requestAnimationFrame(() => (announcer.textContent = message));
}

function addFiles(files: Iterable<File>): void {
  const added: FileCard[] = [];
  for (const file of files) {
    const card = new FileCard({ file }, announce);
    cards.prepend(card.root);
    added.push(card);
  }
  if (added.length) announce(`${added.length} file${added.length > 1 ? "s" : ""} added.`);
  for (const card of added) void card.start();
}

for (const input of [fileInput, cameraInput]) {
  input.addEventListener("change", () => {
    if (input.files?.length) addFiles(Array.from(input.files));
    input.value = ""; // choosing the same file again must fire "change" again
  });
}

// Real buttons open the (hidden) file inputs: one tab stop each, named by their text.
for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-opens]")) {
  button.addEventListener("click", () => document.getElementById(button.dataset.opens!)?.click());
}

let dragDepth = 0;
const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes("Files");
document.addEventListener("dragenter", (e) => {
  if (!hasFiles(e)) return;
  dragDepth++;
  dropzone.classList.add("dragging");
});
document.addEventListener("dragleave", () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    dropzone.classList.remove("dragging");
  }
});
document.addEventListener("dragover", (e) => {
  if (hasFiles(e)) e.preventDefault(); // allow dropping anywhere on the page
});
document.addEventListener("drop", (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  dropzone.classList.remove("dragging");
  if (e.dataTransfer?.files.length) addFiles(Array.from(e.dataTransfer.files));
});

// Ctrl/Cmd+V of a screenshot (or of copied image files).
document.addEventListener("paste", (e) => {
  const items = Array.from(e.clipboardData?.items ?? []);
  const files: File[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  for (const item of items) {
    if (item.kind !== "file") continue;
    const blob = item.getAsFile();
    if (!blob) continue;
    if (!blob.type.startsWith("image/") && blob.name === "") continue;
    const ext = (blob.type.split("/")[1] || "png").replace("jpeg", "jpg");
    const named =
      blob.name && blob.name !== "image.png"
        ? blob
        : new File([blob], `pasted-${stamp}${files.length ? `-${files.length + 1}` : ""}.${ext}`, { type: blob.type });
    files.push(named);
  }
  if (files.length) {
    e.preventDefault();
    addFiles(files);
  } else if (!(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) {
    announce("The clipboard holds no image. Copy a screenshot or an image file, then paste.");
  }
});

// Conversions from earlier visits (this browser remembers their job ids) come back, edits included.
const restored = recentJobs();
for (const recent of restored) {
  const card = new FileCard({ recent }, announce);
  cards.append(card.root); // newest first, as new files are prepended
  void card.resume();
}

// Edits save themselves within a second; leaving before that (or after a failed save) asks first.
window.addEventListener("beforeunload", (e) => {
  if (hasUnsavedEdits()) e.preventDefault();
});

void loadConfig();
