// Settings: whether changes to events with guests email them (ask each time, always, never).

import { api, showError, toast, userSettings } from "./app.js";

const choice = document.getElementById("guest-emails");

// The settings as read when the page opened, else read again (after a failed change).
async function show(read = userSettings()) {
  choice.value = (await read).guestEmails;
  choice.disabled = false; // not before: a choice made earlier would be overwritten
}

async function save() {
  try {
    await api("PATCH", "/api/settings", { guestEmails: choice.value });
    toast("Saved: emails to guests.", { kind: "success", timeout: 4000 });
  } catch (failure) {
    showError(failure, "The choice was not saved");
    show(userSettings({ again: true }));
  }
}

choice.addEventListener("change", save);
show().catch((failure) => showError(failure, "Your settings could not be loaded"));
