// Keyboard shortcuts, as Google Calendar has them: c create, t today, j/n next and k/p
// previous, d/w/m/a day, week, month and agenda, / search, e edit and Delete (the event whose
// card is open, or the focused one), ? this list. Not while typing, nor under a dialog.

const $ = (id) => document.getElementById(id);
const VIEWS = { d: "timeGridDay", w: "timeGridWeek", m: "dayGridMonth", a: "listWeek" };

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

// `page`: {calendar, create(), search(), chosen() (the event id in view, or null), edit(id),
// remove(id)}.
export function setUpShortcuts(page) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]:modal")) return;
    const act = keyAction(page, event.key);
    if (!act) return;
    event.preventDefault();
    act();
  });
}

function keyAction(page, key) {
  const calendar = page.calendar;
  const chosen = page.chosen();
  const actions = {
    c: () => page.create(),
    t: () => calendar.today(),
    j: () => calendar.next(), n: () => calendar.next(),
    k: () => calendar.prev(), p: () => calendar.prev(),
    "/": () => page.search(),
    "?": () => $("shortcuts-modal").showModal(),
    e: chosen && (() => page.edit(chosen)),
    Delete: chosen && (() => page.remove(chosen)),
    Backspace: chosen && (() => page.remove(chosen)),
  };
  if (VIEWS[key]) return () => calendar.changeView(VIEWS[key]);
  return actions[key] || null;
}
