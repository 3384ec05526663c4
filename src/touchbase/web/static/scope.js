// "This event / This and following events / All events": which occurrences of a recurring series
// a change is for, asked as Google asks it (the dialog starts on "This event").

const $ = (id) => document.getElementById(id);

// Resolves to "instance", "following" or "all", or null when the person cancels. `single: false`
// leaves "This event" out (a new rule is never one occurrence's own); `following: false`
// leaves "This and following events" out (an answer to an invitation cannot split its series).
export function askScope(title, { single = true, following = true } = {}) {
  const dialog = $("scope-modal");
  $("scope-modal-title").textContent = title;
  $("scope-instance-choice").hidden = !single;
  $("scope-following-choice").hidden = !following;
  const first = single ? "instance" : "following";
  for (const input of dialog.querySelectorAll('input[name="scope"]')) input.checked = input.value === first;
  return new Promise((resolve) => {
    let answer = null;
    $("scope-ok").onclick = () => {
      answer = dialog.querySelector('input[name="scope"]:checked')?.value ?? null;
      dialog.close();
    };
    dialog.addEventListener("close", () => resolve(answer), { once: true });
    dialog.showModal();
    dialog.querySelector('input[name="scope"]:checked')?.focus();
  });
}
