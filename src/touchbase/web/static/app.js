// Shared by every page: the API client (session cookie + CSRF token), readable errors, toasts.

import { showTimesIn, shownZone } from "./times.js";

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const error = body?.error ?? {};
    super(error.message || "Something went wrong on the server.");
    this.status = status;
    this.code = error.code || (status === 0 ? "NETWORK" : "UNKNOWN");
    this.action = error.action || null;
    this.details = error.details || {};
    this.retryAfter = retryAfter ? Number(retryAfter) : null;
  }
}

// Call the HTTP API; answers the parsed JSON, or throws an ApiError.
// Changes this page is sending: news of changes made elsewhere waits for them to settle.
let writing = 0;
const afterWrites = [];

// Run `then` once no change of this page's is on its way (at once if none is).
export function whenWritesSettle(then) {
  if (writing === 0) then();
  else if (!afterWrites.includes(then)) afterWrites.push(then);
}

function writeDone() {
  writing -= 1;
  if (writing === 0) afterWrites.splice(0).forEach((then) => then());
}

export async function api(method, path, body, headers = {}) {
  if (method === "GET") return request(method, path, body, headers);
  writing += 1;
  try {
    return await request(method, path, body, headers);
  } finally {
    writeDone();
  }
}

async function request(method, path, body, headers) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRF-Token": csrfToken,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      error: {
        message: "touchbase could not be reached.",
        action: "Check your connection and try again.",
      },
    });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get("Retry-After"));
  return data;
}

// A GET read once per page by all its parts (a failed read is tried again when next asked;
// `again` reads anew).
function readOnce(path) {
  let read = null;
  return ({ again = false } = {}) => {
    if (again) read = null;
    read ??= api("GET", path).catch((error) => {
      read = null;
      throw error;
    });
    return read;
  };
}

// The user's settings.
export const userSettings = readOnce("/api/settings");
// The user's calendars (listing them reads Google's calendar list).
export const listedCalendars = readOnce("/api/calendar/calendars");

// Show times in the zone of the user's setting (else this browser's): every page, first.
// Returns the settings (null when they cannot be read).
export async function useShownZone() {
  const settings = await userSettings().catch(() => null);
  showTimesIn(settings?.timeZone);
  return settings;
}

const RECONNECT = new Set(["CALENDAR_PERMISSION_DENIED", "CALENDAR_AUTHORIZATION_EXPIRED"]);

// What to tell a person about an error: a sentence, what to do, and where to go.
export function describe(error) {
  if (!(error instanceof ApiError)) {
    return { message: "Something went wrong in this page.", action: "Reload the page and try again.", link: null };
  }
  let action = error.action;
  let link = null;
  if (RECONNECT.has(error.code)) {
    const reconnect = error.action || "Reconnect Google Calendar.";
    link = { href: "/settings#google", text: reconnect.startsWith("Connect") ? "Connect Google Calendar" : "Reconnect Google Calendar" };
  } else if (error.code === "CALENDAR_RATE_LIMIT") {
    const wait = error.retryAfter ? ` Try again in ${Math.ceil(error.retryAfter)} s.` : "";
    action = (error.action || "Wait a moment.") + wait;
  } else if (error.code === "UNAUTHENTICATED" || error.code === "CSRF_FAILED") {
    link = { href: "/login?next=" + encodeURIComponent(location.pathname), text: "Sign in again" };
    action = "Your session has ended.";
  } else if (error.status >= 500 && !error.action) {
    action = "Try again in a moment.";
  }
  return { message: error.message, action, link };
}

// A small message in the corner, with a button (`{label, act}`) if given; errors stay until
// dismissed.
export function toast(message, { kind = "info", action = null, link = null, button = null, timeout = null } = {}) {
  const box = document.getElementById("toasts");
  const item = document.createElement("div");
  item.className = `toast ${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  const text = document.createElement("p");
  text.className = "toast-message";
  text.textContent = message;
  item.append(text);
  if (action) {
    const more = document.createElement("p");
    more.className = "toast-action";
    more.textContent = action;
    item.append(more);
  }
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    item.append(anchor);
  }
  if (button) {
    const act = document.createElement("button");
    act.type = "button";
    act.className = "toast-button";
    act.textContent = button.label;
    act.addEventListener("click", () => {
      item.remove();
      button.act();
    });
    item.append(act);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  close.addEventListener("click", () => item.remove());
  item.append(close);
  box.append(item);
  const ms = timeout ?? (kind === "error" ? 20000 : 6000);
  setTimeout(() => item.remove(), ms);
  return item;
}

export function showError(error, what) {
  const { message, action, link } = describe(error);
  toast(what ? `${what}: ${message}` : message, { kind: "error", action, link });
}

// A submit (or click) handler that runs once at a time: a second one while the first is
// under way (a double click) is ignored, not sent again as a second contact or touchpoint.
// Called with a DOM event, its default is prevented; called with anything else, it is passed on.
export function oneAtATime(handler) {
  let running = false;
  return async (event) => {
    if (event instanceof Event) event.preventDefault();
    if (running) return;
    running = true;
    try {
      await handler(event);
    } finally {
      running = false;
    }
  };
}

// Close a <dialog> from any button marked data-close.
export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => dialog.close());
    }
  }
}

// A link that opens in a new tab (a map, a video call), with no hold on this page.
export function outsideLink(href, text) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  anchor.rel = "noopener noreferrer";
  anchor.target = "_blank";
  return anchor;
}

// A colour as the API gives one (from Google: nothing else reaches the page's CSS).
export const RGB = /^#[0-9a-f]{6}$/;

// A calendar's colour as a dot before its name (nothing unless a colour, "#rrggbb").
export function colorSwatch(color) {
  if (!RGB.test(color ?? "")) return "";
  const dot = document.createElement("span");
  dot.className = "swatch";
  dot.style.background = color;
  dot.setAttribute("aria-hidden", "true");
  return dot;
}

// A video call's name as a person reads it: its service's ("Google Meet"), else its site's.
export function callName(call) {
  return call.name || new URL(call.url).host;
}

// A day ("Dec 4, 2026") or a moment ("Dec 4, 2026, 10:00 AM", in the zone the pages show).
export function formatWhen(iso) {
  if (!iso) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    return new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" });
  }
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: shownZone });
}
