// Settings: the time zone the calendar shows (empty: this device's own).

import { api, showError, toast, userSettings } from "./app.js";
import { browserZone, isZone, zoneNames } from "./times.js";

const $ = (id) => document.getElementById(id);

async function show() {
  $("zone-names").replaceChildren(...zoneNames().map((name) => new Option(name, name)));
  $("time-zone").value = (await userSettings()).timeZone ?? "";
  $("time-zone").disabled = false; // not before: what was typed earlier would be overwritten
  $("device-zone").textContent = browserZone;
}

async function save(event) {
  event.preventDefault();
  const input = $("time-zone");
  const error = $("zone-error");
  const zone = input.value.trim();
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  try {
    if (zone && !isZone(zone)) throw new Error(`"${zone}" is not a time zone name.`);
    await api("PATCH", "/api/settings", { timeZone: zone });
    // Working hours are in it.
    document.dispatchEvent(new CustomEvent("time-zone-saved", { detail: { zone: zone || null } }));
    toast(zone ? `Times are shown in ${zone}.` : `Times are shown in this device's zone (${browserZone}).`, {
      kind: "success", timeout: 4000,
    });
  } catch (failure) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = failure.message;
    error.hidden = false;
  }
}

$("zone-form").addEventListener("submit", save);
show().catch((failure) => showError(failure, "The time zone could not be loaded"));
