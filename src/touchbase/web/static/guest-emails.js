// Settings: whether changes to events with guests email them (ask each time, always, never).

import { api, showError, toast } from "./app.js";

const choice = document.getElementById("guest-emails");

async function show() {
  choice.value = (await api("GET", "/api/settings")).guestEmails;
  choice.disabled = false; // not before: a choice made earlier would be overwritten
}

async function save() {
  try {
    await api("PATCH", "/api/settings", { guestEmails: choice.value });
    toast("Saved: emails to guests.", { kind: "success", timeout: 4000 });
  } catch (failure) {
    showError(failure, "The choice was not saved");
    show();
  }
}

choice.addEventListener("change", save);
show().catch((failure) => showError(failure, "Your settings could not be loaded"));
