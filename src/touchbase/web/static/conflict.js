// The ConflictResolutionModal: both versions side by side, the fields in dispute highlighted,
// keep local / keep remote / merge field by field, a preview of the result, and Save.

import { api, callName, describe } from "./app.js";
import { formatWhen } from "./app.js";
import { plainText } from "./rich-text.js";

const $ = (id) => document.getElementById(id);
const dialog = $("conflict-modal");
const ROWS = [
  ["title", "Title"], ["startTime", "Start"], ["endTime", "End"], ["timeZone", "Time zone"],
  ["location", "Location"], ["attendees", "Attendees"], ["description", "Description"],
  ["conference", "Video call"],
];
const LABELS = {
  keep_local: "Keep mine: overwrites every change made in Google Calendar",
  keep_remote: "Keep Google's: drops the changes made here",
  merge: "Merge both: changes made on one side are kept; choose the disputed fields",
  recreate: "Put it back in Google Calendar", discard: "Let it go (it was deleted in Google)",
};
let current = null; // {eventId, conflict, onResolved}

function show(value, key) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (key === "startTime" || key === "endTime") return formatWhen(value);
  if (key === "description") return plainText(value);
  if (key === "conference") return `${callName(value)}: ${value.url}`;
  return String(value);
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function disputed(key) {
  const fields = current.conflict.fields;
  if (key === "timeZone") return fields.includes("startTime") || fields.includes("endTime");
  return fields.includes(key);
}

function choiceKey(key) {
  return key === "timeZone" ? "startTime" : key;
}

function resolution() {
  return dialog.querySelector('input[name="resolution"]:checked')?.value ?? "merge";
}

// The event the chosen resolution would save.
function merged() {
  const { local, remote, base } = current.conflict;
  const how = resolution();
  if (how === "keep_remote" || how === "discard") return remote;
  if (how !== "merge" || !remote || !local) return local ?? remote;
  const out = {};
  for (const [key] of ROWS) {
    if (disputed(key)) {
      const side = dialog.querySelector(`input[name="pick-${choiceKey(key)}"]:checked`)?.value ?? "local";
      out[key] = (side === "remote" ? remote : local)[key];
    } else {
      out[key] = base && !same(local[key], base[key]) ? local[key] : remote[key];
    }
  }
  return out;
}

function renderPreview() {
  const result = merged();
  const preview = $("conflict-preview");
  preview.replaceChildren();
  if (!result) {
    const gone = document.createElement("dd");
    gone.textContent = "The event is deleted.";
    preview.append(gone);
  } else {
    for (const [key, label] of ROWS) {
      const term = document.createElement("dt");
      term.textContent = label;
      const value = document.createElement("dd");
      value.textContent = show(result[key], key);
      value.dataset.field = key;
      preview.append(term, value);
    }
  }
  const merging = resolution() === "merge";
  for (const input of dialog.querySelectorAll(".pick input")) input.disabled = !merging;
}

function renderRows() {
  const { local, remote } = current.conflict;
  const body = $("conflict-rows");
  body.replaceChildren();
  for (const [key, label] of ROWS) {
    const row = document.createElement("tr");
    row.dataset.field = key;
    const differs = !same(local?.[key], remote?.[key]);
    if (differs) row.classList.add("differs");
    if (disputed(key)) row.classList.add("disputed");
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = label + (disputed(key) ? " ⚠" : "");
    const here = document.createElement("td");
    here.className = "local";
    here.textContent = local ? show(local[key], key) : "(deleted here)";
    const there = document.createElement("td");
    there.className = "remote";
    there.textContent = remote ? show(remote[key], key) : "(deleted in Google)";
    const pick = document.createElement("td");
    pick.className = "pick";
    if (disputed(key) && key !== "timeZone" && local && remote) {
      for (const side of ["local", "remote"]) {
        const labelEl = document.createElement("label");
        labelEl.className = "inline";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = `pick-${key}`;
        input.value = side;
        input.checked = side === (current.conflict.organizerOnly ? "remote" : "local");
        input.addEventListener("change", renderPreview);
        labelEl.append(input, side === "local" ? " Here" : " Google");
        pick.append(labelEl);
      }
    }
    row.append(name, here, there, pick);
    body.append(row);
  }
}

// The choice that loses nothing is preselected: the three-way merge where there is one.
function renderChoices() {
  const box = dialog.querySelector(".choices");
  for (const label of box.querySelectorAll("label")) label.remove();
  const { resolutions } = current.conflict;
  const preselected = resolutions.includes("merge") ? "merge" : resolutions[0];
  resolutions.forEach((value) => {
    const label = document.createElement("label");
    label.className = "inline";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "resolution";
    input.value = value;
    input.checked = value === preselected;
    input.addEventListener("change", renderPreview);
    label.append(input, " " + (LABELS[value] ?? value));
    box.append(label);
  });
}

export function openConflict(eventId, conflict, onResolved) {
  current = { eventId, conflict, onResolved };
  const organizer = conflict.organizer ? `, ${conflict.organizer},` : "";
  $("conflict-explain").textContent = conflict.organizerOnly
    ? `Only its organizer${organizer} can change its details now: Google Calendar keeps theirs. What is yours (its contact) can stay.`
    : conflict.kind === "fields"
      ? "It was changed here and in Google Calendar. Choose what to keep; nothing is lost until you save."
      : conflict.kind === "deleted_remotely"
        ? "It was deleted in Google Calendar while you changed it here."
        : "It was changed in Google Calendar after you deleted it here.";
  $("conflict-error").hidden = true;
  renderChoices();
  renderRows();
  renderPreview();
  if (!dialog.open) dialog.showModal();
}

async function save() {
  const button = $("conflict-save");
  const body = { resolution: resolution() };
  if (body.resolution === "merge") {
    body.fields = {};
    for (const input of dialog.querySelectorAll('.pick input:checked')) {
      body.fields[input.name.slice("pick-".length)] = input.value;
    }
  }
  button.disabled = true;
  try {
    const event = await api("POST", `/api/calendar/events/${encodeURIComponent(current.eventId)}/conflict`, body);
    dialog.close();
    current.onResolved(event);
  } catch (error) {
    const { message, action } = describe(error);
    const box = $("conflict-error");
    box.textContent = action ? `${message} ${action}` : message;
    box.hidden = false;
  } finally {
    button.disabled = false;
  }
}

export function setUpConflict() {
  $("conflict-save").addEventListener("click", save);
}
