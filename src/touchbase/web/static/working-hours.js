// Settings: the working hours touchpoints given only a day are placed in, and the working days
// a cadence plans on.

import { api, showError, toast, userSettings } from "./app.js";

const $ = (id) => document.getElementById(id);
const dayBoxes = () => [...$("hours-days").querySelectorAll("input[type=checkbox]")];

async function show() {
  const { workingHours } = await userSettings();
  $("hours-start").value = workingHours.start;
  $("hours-end").value = workingHours.end;
  for (const box of dayBoxes()) box.checked = workingHours.days.includes(Number(box.value));
}

async function save(event) {
  event.preventDefault();
  const error = $("hours-error");
  error.hidden = true;
  for (const input of $("hours-form").querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const workingHours = {
    start: $("hours-start").value,
    end: $("hours-end").value,
    days: dayBoxes().filter((box) => box.checked).map((box) => Number(box.value)),
  };
  try {
    await api("PATCH", "/api/settings", { workingHours });
    toast("Working hours saved.", { kind: "success", timeout: 4000 });
  } catch (failure) {
    const field = failure.details?.field;
    const input = field && $("hours-form").querySelector(`[name="${field}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    error.textContent = failure.message;
    error.hidden = false;
  }
}

$("hours-form").addEventListener("submit", save);
show().catch((failure) => showError(failure, "The working hours could not be loaded"));
