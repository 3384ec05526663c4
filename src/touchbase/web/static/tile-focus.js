// A live update draws the calendar's tiles again: the tile that had the keyboard's focus is
// replaced, and the focus would fall to the page. The same event's new tile takes it instead.

let focusedEvent = null; // the id of the event whose tile has the focus, or null

export function followTileFocus() {
  document.addEventListener("focusin", (event) => {
    focusedEvent = event.target.closest?.("#calendar [data-event-id]")?.dataset.eventId ?? null;
  });
  // Focus moved away from a tile still shown: it is no longer the tile's. (A tile taken out of
  // the page loses the focus too, and keeps its claim to it.)
  document.addEventListener("focusout", (event) => {
    const tile = event.target.closest?.("#calendar [data-event-id]");
    if (tile) queueMicrotask(() => tile.isConnected && document.activeElement !== tile && (focusedEvent = null));
  });
}

// `element`, the new tile of the event `id`, takes the focus its old tile lost.
export function refocusTile(element, id) {
  const lost = !document.activeElement || document.activeElement === document.body;
  if (lost && id === focusedEvent) element.focus();
}
