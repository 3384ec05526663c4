// The event form's contact: search the user's contacts by name, or create one inline, and
// offer to add the chosen contact's email as a guest.

import { api, oneAtATime } from "./app.js";

const $ = (id) => document.getElementById(id);
const input = () => $("ev-contact");
let contactId = null;

export const chosenContact = () => contactId;

function attendees() {
  return $("ev-attendees").value.split(/[,;\s]+/).map((a) => a.trim().toLowerCase()).filter(Boolean);
}

function offerGuest(contact) {
  const offer = $("contact-guest-offer");
  const email = contact.email;
  offer.hidden = !email || attendees().includes(email.toLowerCase());
  if (offer.hidden) return;
  $("contact-guest-text").textContent = `${contact.name} (${email}) is not a guest.`;
  $("contact-guest-add").onclick = () => {
    const current = $("ev-attendees").value.trim();
    $("ev-attendees").value = current ? `${current}, ${email}` : email;
    offer.hidden = true;
  };
}

function choose(contact) {
  contactId = contact.id;
  input().value = contact.name;
  closeResults();
  $("contact-new").hidden = true;
  offerGuest(contact);
  input().focus();
}

function closeResults() {
  $("contact-results").hidden = true;
  input().setAttribute("aria-expanded", "false");
}

// Fill from an event's contactId (or none).
export async function showContact(id) {
  contactId = id ?? null;
  input().value = "";
  closeResults();
  $("contact-guest-offer").hidden = true;
  $("contact-new").hidden = true;
  if (!contactId) return;
  try {
    input().value = (await api("GET", `/api/contacts/${encodeURIComponent(contactId)}`)).name;
  } catch {
    input().value = "";
  }
}

function option(text, onClick) {
  const item = document.createElement("li");
  item.setAttribute("role", "option");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.addEventListener("click", onClick);
  item.append(button);
  return item;
}

async function search() {
  const query = input().value.trim();
  if (!query) return closeResults();
  let found = [];
  try {
    found = (await api("GET", `/api/contacts?q=${encodeURIComponent(query)}`)).items;
  } catch {
    found = [];
  }
  const items = found.map((contact) =>
    option(contact.email ? `${contact.name} <${contact.email}>` : contact.name, () => choose(contact)));
  items.push(option(`Create contact “${query}”…`, () => openNew(query)));
  $("contact-results").replaceChildren(...items);
  $("contact-results").hidden = false;
  input().setAttribute("aria-expanded", "true");
}

function openNew(name) {
  closeResults();
  const looksLikeEmail = name.includes("@");
  $("cn-name").value = looksLikeEmail ? "" : name;
  $("cn-email").value = looksLikeEmail ? name : "";
  $("cn-company").value = "";
  $("cn-error").hidden = true;
  $("contact-new").hidden = false;
  $(looksLikeEmail ? "cn-name" : "cn-email").focus();
}

async function saveNew() {
  const email = $("cn-email").value.trim();
  const body = { name: $("cn-name").value, emails: email ? [email] : [], company: $("cn-company").value };
  for (const box of $("contact-new").querySelectorAll("[aria-invalid]")) box.removeAttribute("aria-invalid");
  try {
    choose(await api("POST", "/api/contacts", body));
  } catch (error) {
    const field = String(error.details?.field ?? "").replace(/\[\d+\]$/, "");
    $("contact-new").querySelector(`[name="${field}"]`)?.setAttribute("aria-invalid", "true");
    $("cn-error").textContent = error.message;
    $("cn-error").hidden = false;
  }
}

export function setUpContact() {
  let timer = null;
  input().addEventListener("input", () => {
    contactId = null;
    $("contact-guest-offer").hidden = true;
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input().addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      $("contact-results").querySelector("button")?.focus();
      event.preventDefault();
    } else if (event.key === "Escape") {
      // The list first, then the dialog (a search box would only clear itself).
      event.preventDefault();
      if (!$("contact-results").hidden) closeResults();
      else input().closest("dialog")?.close();
    }
  });
  $("cn-save").addEventListener("click", oneAtATime(saveNew));
  $("cn-cancel").addEventListener("click", () => {
    $("contact-new").hidden = true;
    input().focus();
  });
  $("contact-new").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not the event form's submit
      saveNew();
    }
  });
}
