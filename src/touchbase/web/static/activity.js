// Activity: what happened, newest first, in words, filtered by event, contact and author.

import { api, formatWhen, showError, useShownZone } from "./app.js";
import { ago, details, sentence } from "./activity-words.js";

const $ = (id) => document.getElementById(id);
const me = document.querySelector(".signout .who")?.textContent.trim() ?? "";
const seenEvents = new Map(); // id -> title, for the event filter
const seenContacts = new Map(); // id -> name, for the contact filter

function query() {
  const params = new URLSearchParams();
  if ($("activity-event").value) params.set("eventId", $("activity-event").value);
  if ($("activity-contact").value) params.set("contactId", $("activity-contact").value);
  if ($("activity-who").value) params.set("who", $("activity-who").value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function remember(select, seen, id, name) {
  if (!id || !name || seen.has(id)) return;
  seen.set(id, name);
  select.append(new Option(name, id));
}

function item(entry, names, answer) {
  const row = document.createElement("li");
  row.dataset.action = entry.action;
  const said = document.createElement("p");
  said.className = "said";
  const text = `${sentence(entry, me, names)}.`;
  const contactId = entry.contactId ?? answer.eventContacts[entry.eventId];
  const contactName = names.contact(contactId);
  if (contactName) {
    // The contact's name links to their page: where the sentence names them, else after it.
    const link = document.createElement("a");
    link.href = `/contacts/${encodeURIComponent(contactId)}`;
    link.textContent = contactName;
    const at = text.lastIndexOf(contactName);
    if (at < 0) said.append(text, " ", link);
    else said.append(text.slice(0, at), link, text.slice(at + contactName.length));
  } else {
    said.textContent = text;
  }
  const when = document.createElement("time");
  when.dateTime = entry.at;
  when.title = formatWhen(entry.at);
  when.textContent = ago(entry.at);
  row.append(when, said);
  const more = details(entry);
  if (more.length) {
    const list = document.createElement("ul");
    list.className = "changes";
    list.append(...more.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    row.append(list);
  }
  return row;
}

async function show() {
  const answer = await api("GET", `/api/audit${query()}`);
  const names = {
    title: (entry) => (entry.eventId ? answer.eventTitles[entry.eventId] : null) || null,
    contact: (id) => (id ? answer.contactNames[id] : null) ?? null,
  };
  for (const [id, title] of Object.entries(answer.eventTitles)) remember($("activity-event"), seenEvents, id, title);
  for (const [id, name] of Object.entries(answer.contactNames)) remember($("activity-contact"), seenContacts, id, name);
  const list = $("activity-list");
  list.replaceChildren(...answer.items.map((entry) => item(entry, names, answer)));
  if (!answer.items.length) list.append(Object.assign(document.createElement("li"), { textContent: "Nothing yet." }));
}

async function start() {
  await useShownZone();
  const wanted = new URLSearchParams(location.search);
  await show();
  for (const [param, id] of [["event", "activity-event"], ["contact", "activity-contact"]]) {
    const value = wanted.get(param);
    if (value && [...$(id).options].some((o) => o.value === value)) $(id).value = value;
  }
  if (wanted.get("event") || wanted.get("contact")) await show();
  for (const id of ["activity-event", "activity-contact", "activity-who"]) {
    $(id).addEventListener("change", () => show().catch((e) => showError(e, "The activity could not be loaded")));
  }
}

start().catch((error) => showError(error, "The activity could not be loaded"));
