// Activity: the audit log, newest first, filterable by event.

import { api, showError } from "./app.js";

const $ = (id) => document.getElementById(id);
const titles = new Map();

function show(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map(show).join(", ") || "—";
  if (typeof value === "object") {
    const moment = value.dateTime ?? value.date ?? value.email;
    if (moment) return String(moment);
    return JSON.stringify(value);
  }
  return String(value);
}

function describeChanges(changes) {
  return Object.entries(changes ?? {})
    .map(([field, change]) =>
      change && typeof change === "object" && "after" in change
        ? `${field}: ${show(change.before)} → ${show(change.after)}`
        : `${field}: ${show(change)}`,
    )
    .join("; ");
}

async function showEntries() {
  const eventId = $("activity-event").value;
  const query = eventId ? `?eventId=${encodeURIComponent(eventId)}` : "";
  const { items } = await api("GET", `/api/audit${query}`);
  const rows = $("activity-rows");
  rows.replaceChildren();
  for (const entry of items) {
    const row = document.createElement("tr");
    const cells = [
      new Date(entry.at).toLocaleString(),
      titles.get(entry.eventId) ?? entry.changes?.title?.after ?? entry.changes?.title?.before ?? entry.eventId ?? "—",
      entry.action,
      `${entry.actor} (${entry.source})`,
      describeChanges(entry.changes),
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    rows.append(row);
  }
  if (!items.length) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 5;
    cell.textContent = "Nothing yet.";
    row.append(cell);
    rows.append(row);
  }
}

async function start() {
  const { items } = await api("GET", "/api/calendar/events");
  const select = $("activity-event");
  for (const event of items) {
    if (titles.has(event.id) || event.id.includes("~")) continue;
    titles.set(event.id, event.title);
    const option = document.createElement("option");
    option.value = event.id;
    option.textContent = event.title;
    select.append(option);
  }
  const wanted = new URLSearchParams(location.search).get("event");
  if (wanted) select.value = wanted;
  select.addEventListener("change", () => showEntries().catch((e) => showError(e, "The activity could not be loaded")));
  await showEntries();
}

start().catch((error) => showError(error, "The activity could not be loaded"));
