// Import contacts from a CSV or vCard file: preview every row (new, already a contact, or
// its problems), then import all new ones at once; nothing is added while a row is invalid.

import { api, toast } from "./app.js";
import { el } from "./crm.js";

const $ = (id) => document.getElementById(id);
let file = null;

function formatOf(name) {
  return /\.(vcf|vcard)$/i.test(name) ? "vcard" : "csv";
}

// Most files are UTF-8; Excel and Outlook for Windows write CSV in the system's code page
// (Windows-1252 in the West: "Müller" is not UTF-8) or, as "Unicode text", in UTF-16.
function decoded(bytes) {
  const start = new Uint8Array(bytes.slice(0, 2));
  if (start[0] === 0xff && start[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (start[0] === 0xfe && start[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

// A phone's vCards are mostly their pictures (base64, tens of kilobytes each), which touchbase
// does not read: they are left out before sending, with the lines folded under them, so a
// whole address book fits in one request.
const UNREAD = /^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]/i;

function withoutPictures(text) {
  const kept = [];
  let skipping = false;
  for (const line of text.split(/\r?\n/)) {
    if (!/^[ \t]/.test(line)) skipping = UNREAD.test(line);
    if (!skipping) kept.push(line);
  }
  return kept.join("\r\n");
}

// A row's result: a badge (a span: a cell of its own would be the pill) or its problems.
function result(row) {
  const badge = (text, kind) => {
    const cell = el("td");
    cell.append(el("span", text, kind));
    return cell;
  };
  if (row.status === "new") return badge("new", "badge");
  if (row.status === "exists") return badge("already a contact: skipped", "badge pending");
  const cell = el("td", "", "error");
  cell.append(...row.problems.map((p) => el("div", `${p.field}: ${p.message}`)));
  return cell;
}

function showPreview(preview) {
  const rows = preview.rows.map((row) => {
    const tr = el("tr");
    tr.dataset.status = row.status;
    const { name, emails, company, timeZone } = row.contact;
    tr.append(
      el("td", String(row.row)), el("td", name || "—"), el("td", emails.join(", ") || "—"), el("td", company || "—"),
      el("td", timeZone || "—"), // the zone as it will be kept ("Europe/Berlin"), not the cell
      result(row),
    );
    return tr;
  });
  $("import-rows").replaceChildren(...rows);
  $("import-table").hidden = false;
  const { new: fresh, exists, invalid } = preview.counts;
  const parts = [`${fresh} new`, `${exists} already contacts (skipped)`];
  if (invalid) parts.push(`${invalid} with problems: fix them in the file and choose it again; nothing is imported until every row is valid`);
  if (preview.ignoredColumns.length) parts.push(`columns not read: ${preview.ignoredColumns.join(", ")}`);
  $("import-summary").textContent = parts.join(" · ");
  $("import-summary").hidden = false;
  $("import-go").disabled = invalid > 0 || fresh === 0;
  $("import-go").textContent = fresh ? `Import ${fresh} contact${fresh === 1 ? "" : "s"}` : "Import";
}

function showProblem(error) {
  $("import-error").textContent = error.message;
  $("import-error").hidden = false;
}

async function preview() {
  $("import-error").hidden = true;
  $("import-go").disabled = true;
  const chosen = $("import-file").files[0];
  if (!chosen) return;
  const format = formatOf(chosen.name);
  const text = decoded(await chosen.arrayBuffer());
  file = { format, content: format === "vcard" ? withoutPictures(text) : text };
  try {
    showPreview(await api("POST", "/api/contacts/import", { ...file, dryRun: true }));
  } catch (error) {
    $("import-table").hidden = true;
    $("import-summary").hidden = true;
    showProblem(error);
  }
}

async function run(event) {
  event.preventDefault();
  try {
    const done = await api("POST", "/api/contacts/import", { ...file, dryRun: false });
    $("import-modal").close();
    toast(`Imported ${done.imported} contact${done.imported === 1 ? "" : "s"}.`, { kind: "success", timeout: 5000 });
    document.dispatchEvent(new CustomEvent("contacts-changed"));
  } catch (error) {
    showProblem(error);
  }
}

function open() {
  $("import-form").reset();
  for (const id of ["import-table", "import-summary", "import-error"]) $(id).hidden = true;
  $("import-go").disabled = true;
  $("import-modal").showModal();
}

$("import-contacts").addEventListener("click", open);
$("import-file").addEventListener("change", preview);
$("import-form").addEventListener("submit", run);
