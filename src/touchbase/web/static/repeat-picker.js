// The repeat picker of the event form: Google's presets, a custom interval and days, and how the
// series ends; it reads and writes the event's recurrence lines and says the pattern in words.

import { DAYS, dayFacts, presetLabels, presets, ruleInWords, toChoice, toRule } from "./repeat.js";

const $ = (id) => document.getElementById(id);
const DAY_LETTERS = ["M", "T", "W", "T", "F", "S", "S"];
const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
let original = []; // the lines the form was filled with (kept when the picker cannot show them)
let context = () => ({ start: "2000-01-01", allDay: false, zone: "UTC" });

export function setUpRepeat(where) {
  context = where;
  const days = $("ev-repeat-days");
  DAYS.forEach((code, index) => {
    const label = document.createElement("label");
    label.className = "day";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = code;
    box.setAttribute("aria-label", DAY_NAMES[index]);
    label.append(box, DAY_LETTERS[index]);
    days.append(label);
  });
  for (const id of ["ev-repeat", "ev-repeat-unit", "ev-repeat-interval", "ev-repeat-until", "ev-repeat-count"]) {
    $(id).addEventListener("input", refresh);
  }
  for (const input of document.querySelectorAll("#ev-repeat-custom input, #ev-repeat-ends input")) {
    input.addEventListener("change", refresh);
  }
}

function selected(name) {
  return document.querySelector(`input[name="${name}"]:checked`)?.value;
}

function check(name, value) {
  for (const input of document.querySelectorAll(`input[name="${name}"]`)) input.checked = input.value === value;
}

// New option labels for the current start date, keeping the choice.
export function relabel() {
  const { start } = context();
  const select = $("ev-repeat");
  const current = select.value || "none";
  const labels = presetLabels(start);
  const options = Object.entries(labels).map(([value, text]) => new Option(text, value));
  if (original.length && !toChoice(original.find(isRule))) options.push(new Option("The rule as it is", "kept"));
  select.replaceChildren(...options);
  select.value = [...select.options].some((o) => o.value === current) ? current : "none";
  const facts = dayFacts(start);
  $("ev-monthly-day").textContent = `On day ${facts.day}`;
  $("ev-monthly-nth").textContent = labels["monthly-nth"].replace("Monthly on", "On");
  refresh();
}

const isRule = (line) => /^RRULE:/i.test(line);

// Show the recurrence lines of an event (none for a single event).
export function fillRepeat(lines) {
  original = [...(lines ?? [])];
  const { start, zone } = context();
  const rule = original.find(isRule);
  const choice = rule ? toChoice(rule, zone) : null;
  $("ev-repeat").value = "none";
  relabel();
  if (!rule) return refresh();
  if (!choice) {
    $("ev-repeat").value = "kept";
    return refresh();
  }
  const preset = Object.entries(presets(start)).find(
    ([, p]) => toRule({ ...p, ends: "never" }, start) === toRule({ ...choice, ends: "never" }, start),
  );
  $("ev-repeat").value = preset ? preset[0] : "custom";
  $("ev-repeat-interval").value = choice.interval;
  $("ev-repeat-unit").value = choice.freq;
  for (const box of $("ev-repeat-days").querySelectorAll("input")) box.checked = choice.days.includes(box.value);
  check("ev-monthly", choice.monthly);
  check("ev-ends", choice.ends);
  if (choice.ends === "until") $("ev-repeat-until").value = choice.until;
  if (choice.ends === "count") $("ev-repeat-count").value = choice.count;
  refresh();
}

function customChoice(start) {
  const freq = $("ev-repeat-unit").value;
  const days = [...$("ev-repeat-days").querySelectorAll("input:checked")].map((b) => b.value);
  const facts = dayFacts(start);
  return {
    freq,
    interval: Math.max(1, Number($("ev-repeat-interval").value) || 1),
    days: freq === "WEEKLY" ? days : [DAYS[facts.weekday]],
    monthly: selected("ev-monthly") ?? "day",
    nth: facts.nth,
  };
}

// The recurrence lines the picker says, or {error, field} when it cannot be read.
export function readRepeat() {
  const { start, allDay, zone } = context();
  const kind = $("ev-repeat").value;
  if (kind === "none") return { lines: [] };
  if (kind === "kept") return { lines: original };
  const choice = kind === "custom" ? customChoice(start) : { ...presets(start)[kind] };
  choice.ends = selected("ev-ends") ?? "never";
  if (choice.ends === "until") {
    choice.until = $("ev-repeat-until").value;
    if (!choice.until || choice.until < start) {
      return { error: "The series must end on or after its first day.", field: $("ev-repeat-until") };
    }
  }
  if (choice.ends === "count") {
    choice.count = Number($("ev-repeat-count").value);
    if (!Number.isInteger(choice.count) || choice.count < 1) {
      return { error: "Give how many times it happens (1 or more).", field: $("ev-repeat-count") };
    }
  }
  const others = original.filter((line) => !isRule(line));
  return { lines: [toRule(choice, start, { allDay, zone }), ...others] };
}

function refresh() {
  const kind = $("ev-repeat").value;
  $("ev-repeat-custom").hidden = kind !== "custom";
  $("ev-repeat-ends").hidden = kind === "none" || kind === "kept";
  const unit = $("ev-repeat-unit").value;
  $("ev-repeat-days").hidden = unit !== "WEEKLY";
  $("ev-repeat-monthly").hidden = unit !== "MONTHLY";
  $("ev-repeat-until").disabled = selected("ev-ends") !== "until";
  $("ev-repeat-count").disabled = selected("ev-ends") !== "count";
  const { start, zone } = context();
  const read = readRepeat();
  $("ev-repeat-words").textContent = read.lines ? ruleInWords(read.lines, start, zone) : "";
}
