// Connecting Google Calendar: Google's consent screen, then back to Settings.

import { api, showError } from "./app.js";

export async function connectGoogle() {
  try {
    const email = document.querySelector(".who")?.textContent?.trim() ?? "";
    const { authorizationUrl } = await api("POST", `/api/google/connect?loginHint=${encodeURIComponent(email)}`);
    window.location.assign(authorizationUrl);
  } catch (error) {
    showError(error, "Google Calendar could not be connected");
  }
}
