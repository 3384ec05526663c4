// Before a change of an event with guests: whether Google emails them about it. The user's
// setting says ask each time (the default), always send, or never send; "Remember" saves the
// answer as the setting. Nothing is emailed unless the person says so.

import { api, showError, userSettings } from "./app.js";

const $ = (id) => document.getElementById(id);
const QUESTION = {
  create: "Send invitation emails to guests?",
  update: "Send update emails to guests?",
  delete: "Send cancellation emails to guests?",
};
let preference = null;

async function setting() {
  if (preference === null) {
    try {
      preference = (await userSettings()).guestEmails;
    } catch {
      return "ask"; // asked this time; read again next time
    }
  }
  return preference;
}

// Every guest of any of the versions (a guest removed by the change is told too).
function guestsOf(...versions) {
  return [...new Set(versions.flatMap((v) => v?.attendees ?? []))];
}

// Google's sendUpdates for a change (`kind`: create, update, delete) of an event whose
// versions are given: "all", "none", or null when the person stepped back (change nothing).
export async function emailGuests(kind, ...versions) {
  const guests = guestsOf(...versions);
  if (!guests.length) return "none";
  const wanted = await setting();
  if (wanted === "send") return "all";
  if (wanted === "never") return "none";
  return ask(kind, guests);
}

function ask(kind, guests) {
  const dialog = $("guests-modal");
  $("guests-modal-title").textContent = QUESTION[kind];
  $("guests-summary").textContent = `Google Calendar would email ${guests.join(", ")}.`;
  $("guests-remember").checked = false;
  return new Promise((resolve) => {
    let answer = null;
    const choose = (value) => () => {
      answer = value;
      dialog.close();
    };
    $("guests-send").onclick = choose("all");
    $("guests-dont").onclick = choose("none");
    dialog.addEventListener(
      "close",
      () => {
        if (answer && $("guests-remember").checked) remember(answer === "all" ? "send" : "never");
        resolve(answer);
      },
      { once: true },
    );
    dialog.showModal();
    $("guests-dont").focus();
  });
}

async function remember(choice) {
  preference = choice;
  try {
    await api("PATCH", "/api/settings", { guestEmails: choice });
  } catch (error) {
    showError(error, "Your choice was not remembered");
  }
}
