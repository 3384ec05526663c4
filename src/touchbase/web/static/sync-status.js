// The sync-status area: "Sync now", its progress over server-sent events, and the result.

import { api, ApiError, describe, formatWhen, listedCalendars } from "./app.js";

const $ = (id) => document.getElementById(id);
const syncStatus = $("sync-status");

function progressText(run) {
  const calendars = Object.values(run.progress ?? {});
  const pulled = calendars.reduce((n, c) => n + (c.pulled ?? 0), 0);
  const pushing = calendars.reduce((n, c) => n + (c.pushing ?? 0), 0);
  const phase = calendars.map((c) => c.phase).filter(Boolean).pop();
  if (!phase) return "Syncing…";
  return `Syncing… ${phase === "push" ? `pushing ${pushing}` : `pulled ${pulled}`}`;
}

function showSyncResult(run) {
  syncStatus.replaceChildren();
  if (run.status === "succeeded") {
    const c = run.counts ?? {};
    const removed = (run.calendars ?? []).filter((r) => r.status === "removed").map((r) => r.summary);
    syncStatus.textContent = `Synced: pulled ${c.pulled ?? 0}, pushed ${c.pushed ?? 0}, conflicts ${c.conflicts ?? 0}` + (c.errors ? `, errors ${c.errors}` : "") + "." +
      (removed.length ? ` No longer in your Google calendars, so removed here: ${removed.join(", ")}.` : "");
    syncStatus.dataset.state = "done";
    return;
  }
  const { message, action, link } = describe(new ApiError(502, { error: run.error ?? {} }));
  syncStatus.dataset.state = "failed";
  syncStatus.append(`Sync failed: ${message} ${action ?? ""}`);
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    syncStatus.append(" ", anchor);
  }
}

async function followRun(runId) {
  return new Promise((resolve) => {
    const source = new EventSource(`/api/calendar/sync/${encodeURIComponent(runId)}/events`);
    source.addEventListener("progress", (message) => {
      syncStatus.textContent = progressText(JSON.parse(message.data));
      syncStatus.dataset.state = "running";
    });
    source.addEventListener("done", (message) => {
      source.close();
      resolve(JSON.parse(message.data));
    });
    source.onerror = async () => {
      source.close();
      let run = { status: "running" };
      while (run.status === "running") {
        await new Promise((r) => setTimeout(r, 500));
        try {
          run = await api("GET", `/api/calendar/sync/${encodeURIComponent(runId)}`);
        } catch (error) {
          run = { status: "failed", error: { message: describe(error).message } };
        }
      }
      resolve(run);
    };
  });
}

async function syncNow(calendar) {
  const button = $("sync-now");
  button.disabled = true;
  syncStatus.textContent = "Syncing…";
  syncStatus.dataset.state = "running";
  try {
    const { runId } = await api("POST", "/api/calendar/sync");
    showSyncResult(await followRun(runId));
  } catch (error) {
    const { message, action } = describe(error);
    syncStatus.textContent = `Sync did not start: ${message} ${action ?? ""}`;
    syncStatus.dataset.state = "failed";
  } finally {
    button.disabled = false;
    calendar.refetchEvents();
  }
}

// Events Google sent that could not be read are not on the calendar: say so, and where they
// are named.
function showUnread(count) {
  if (!count) return;
  const anchor = document.createElement("a");
  anchor.href = "/settings";
  anchor.textContent = count === 1 ? "1 event from Google could not be read" : `${count} events from Google could not be read`;
  syncStatus.append(" ", anchor, ".");
}

export async function showLastSync({ again = false } = {}) {
  try {
    const { items } = await listedCalendars({ again });
    const times = items.filter((c) => c.syncEnabled && c.lastSyncedAt).map((c) => c.lastSyncedAt).sort();
    if (!items.some((c) => !c.isLocal)) {
      const kept = items.length ? "Your events are kept on touchbase. " : "";
      syncStatus.replaceChildren(`${kept}Google Calendar is not connected. `);
      const anchor = document.createElement("a");
      anchor.href = "/settings#google";
      anchor.textContent = "Connect Google Calendar";
      syncStatus.append(anchor);
    } else {
      syncStatus.textContent = times.length ? `Last synced ${formatWhen(times.at(-1))}.` : "Changes made in Google not fetched yet: use Sync now.";
      showUnread(items.reduce((sum, c) => sum + (c.unreadEvents?.length ?? 0), 0));
    }
  } catch {
    syncStatus.textContent = "";
  }
}

export function setUpSync(calendar) {
  $("sync-now").addEventListener("click", () => syncNow(calendar));
  showLastSync();
}
