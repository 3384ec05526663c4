// Contacts: search, sort by next touchpoint or last contacted, add one.

import { api, formatWhen, oneAtATime, showError, useShownZone, wireDialogs } from "./app.js";
import { dueClass, dueText, el, readContactForm, showFieldError } from "./crm.js";

const $ = (id) => document.getElementById(id);
let searching = null;

async function show() {
  const params = new URLSearchParams({ q: $("contact-search").value, sort: $("contact-sort").value, limit: "200" });
  const { items } = await api("GET", `/api/contacts?${params}`);
  const rows = items.map((contact) => {
    const row = el("tr");
    const name = el("a", contact.name);
    name.href = `/contacts/${encodeURIComponent(contact.id)}`;
    const next = el("td");
    if (contact.nextTouchpoint) next.append(el("span", dueText(contact.nextTouchpoint), dueClass(contact.nextTouchpoint)));
    else next.textContent = "—";
    const first = el("td");
    first.append(name);
    row.append(first, el("td", contact.company || "—"), el("td", contact.lastContacted ? formatWhen(contact.lastContacted) : "never"), next);
    return row;
  });
  $("contact-rows").replaceChildren(...rows);
  const empty = !items.length && !$("contact-search").value;
  $("contacts-empty").hidden = !empty;
  $("contacts-table").hidden = empty;
}

function open() {
  $("contact-form").reset();
  $("contact-form-error").hidden = true;
  $("contact-modal").showModal();
  $("c-name").focus();
}

async function save(event) {
  event.preventDefault();
  try {
    const made = await api("POST", "/api/contacts", readContactForm());
    location.href = `/contacts/${encodeURIComponent(made.id)}`;
  } catch (error) {
    showFieldError(error, $("contact-form"), $("contact-form-error"));
  }
}

wireDialogs();
$("new-contact").addEventListener("click", open);
$("contact-form").addEventListener("submit", oneAtATime(save));
$("contact-sort").addEventListener("change", () => show().catch((e) => showError(e, "The contacts could not be loaded")));
$("contact-search").addEventListener("input", () => {
  clearTimeout(searching);
  searching = setTimeout(() => show().catch((e) => showError(e, "The contacts could not be loaded")), 200);
});
document.addEventListener("contacts-changed", () => show().catch((e) => showError(e, "The contacts could not be loaded")));
$("contact-filter").addEventListener("submit", (event) => event.preventDefault());
await useShownZone();
show().catch((error) => showError(error, "The contacts could not be loaded"));
