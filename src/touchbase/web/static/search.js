// The search box: the user's events holding every word typed, across all time, upcoming and
// past apart; a result shows its event on the calendar and opens its card. "/" focuses it.

import { api, showError } from "./app.js";
import { shownZone } from "./times.js";
import { whenInWords } from "./event-card.js";

const $ = (id) => document.getElementById(id);
const WAIT_MS = 200;
let timer = null;
let asked = 0; // the latest query's number: an older answer that comes late is dropped

async function results(q, when) {
  const query = new URLSearchParams({ q, when, maxResults: "20" });
  return (await api("GET", `/api/calendar/search?${query}`)).items;
}

function group(title, items, open) {
  const section = document.createElement("section");
  section.className = "search-group";
  const heading = document.createElement("h3");
  heading.textContent = title;
  const list = document.createElement("ul");
  list.setAttribute("aria-label", title);
  for (const event of items) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "search-result";
    const name = document.createElement("strong");
    name.textContent = event.title || "(no title)";
    const when = document.createElement("span");
    when.textContent = whenInWords(event, shownZone);
    button.append(name, when);
    button.addEventListener("click", () => open(event));
    item.append(button);
    list.append(item);
  }
  if (!items.length) {
    const none = document.createElement("li");
    none.className = "hint";
    none.textContent = "Nothing.";
    list.append(none);
  }
  section.append(heading, list);
  return section;
}

async function run(q, open) {
  const number = ++asked;
  const box = $("search-results");
  if (!q.trim()) {
    box.hidden = true;
    return;
  }
  try {
    const [upcoming, past] = await Promise.all([results(q, "upcoming"), results(q, "past")]);
    if (number !== asked) return;
    box.replaceChildren(group("Upcoming", upcoming, open), group("Past", past, open));
    box.hidden = false;
  } catch (error) {
    if (number === asked && error.status !== 422) showError(error, "Search failed");
  }
}

// `open(event)`: show a result (the calendar page goes to its day and opens its card).
export function setUpSearch(open) {
  const input = $("search");
  const box = $("search-results");
  const choose = (event) => {
    box.hidden = true;
    open(event);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value, choose), WAIT_MS);
  });
  input.closest("form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value, choose);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (!box.hidden) box.hidden = true;
      else input.blur();
    } else if (event.key === "ArrowDown" && !box.hidden) {
      event.preventDefault();
      box.querySelector("button")?.focus();
    }
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      box.hidden = true;
      input.focus();
    }
  });
  document.addEventListener("mousedown", (event) => {
    if (!box.hidden && !box.contains(event.target) && event.target !== input) box.hidden = true;
  });
}
