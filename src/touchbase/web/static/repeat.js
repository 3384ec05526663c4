// Recurrence rules for people: the repeat picker's choices as one RRULE line and back, and any
// rule in words ("Weekly on Tue and Thu, until 31 Mar 2027"). Pure functions, no DOM.

import { instantIn, wallClock } from "./times.js";

export const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const ORDINAL = { 1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", "-1": "last" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const UNIT = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" };
const WORD = { DAILY: "Daily", WEEKLY: "Weekly", MONTHLY: "Monthly", YEARLY: "Annually" };

// "2027-03-19" -> its weekday (0 = Monday), day of month, and which of its weekday it is.
export function dayFacts(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  const nth = Math.ceil(d / 7);
  return { year: y, month: m, day: d, weekday, nth: nth > 4 ? -1 : nth };
}

function parts(line) {
  const [name, value = ""] = line.split(":");
  if (name.toUpperCase() !== "RRULE") return null;
  const out = {};
  for (const pair of value.split(";")) {
    const [key, val] = pair.split("=");
    if (key && val !== undefined) out[key.toUpperCase()] = val.toUpperCase();
  }
  return out;
}

const KNOWN = new Set(["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"]);

// A rule line as the picker's choice, or null when the picker cannot show it (kept as it is).
export function toChoice(line, zone = "UTC") {
  const p = line ? parts(line) : null;
  if (!p || !UNIT[p.FREQ] || Object.keys(p).some((k) => !KNOWN.has(k))) return null;
  const choice = { freq: p.FREQ, interval: Number(p.INTERVAL ?? 1), days: [], monthly: "day" };
  if (p.COUNT) Object.assign(choice, { ends: "count", count: Number(p.COUNT) });
  else if (p.UNTIL) Object.assign(choice, { ends: "until", until: untilDate(p.UNTIL, zone) });
  else choice.ends = "never";
  if (p.BYDAY) {
    const days = p.BYDAY.split(",");
    const nth = days.length === 1 ? /^(-?\d)(MO|TU|WE|TH|FR|SA|SU)$/.exec(days[0]) : null;
    if (p.FREQ === "MONTHLY" && nth) Object.assign(choice, { monthly: "nth", nth: Number(nth[1]), days: [nth[2]] });
    else if (p.FREQ === "WEEKLY" && days.every((d) => DAYS.includes(d))) choice.days = days;
    else return null;
  }
  if (p.BYMONTHDAY && (p.FREQ !== "MONTHLY" || p.BYMONTHDAY.includes(","))) return null;
  if (p.BYMONTH && p.FREQ !== "YEARLY") return null;
  return choice;
}

// An UNTIL value as the date the series ends on where it takes place ("20270331", or
// "20270331T215959Z" in Europe/Berlin -> "2027-03-31").
function untilDate(value, zone) {
  const day = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  if (!value.endsWith("Z")) return day;
  const moment = new Date(`${day}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`);
  return wallClock(moment, zone).date;
}

// The picker's choice as one RRULE line; `start` is the series' first date ("YYYY-MM-DD").
// A timed series ends at the end of the chosen day in `zone` (UNTIL in UTC, as Google needs).
export function toRule(choice, start, { allDay = false, zone = "UTC" } = {}) {
  const facts = dayFacts(start);
  const pairs = [`FREQ=${choice.freq}`];
  if (choice.interval > 1) pairs.push(`INTERVAL=${choice.interval}`);
  if (choice.freq === "WEEKLY" && choice.days?.length) {
    pairs.push(`BYDAY=${DAYS.filter((d) => choice.days.includes(d)).join(",")}`);
  }
  if (choice.freq === "MONTHLY" && choice.monthly === "nth") {
    pairs.push(`BYDAY=${choice.nth ?? facts.nth}${choice.days?.[0] ?? DAYS[facts.weekday]}`);
  }
  if (choice.ends === "count") pairs.push(`COUNT=${choice.count}`);
  if (choice.ends === "until") pairs.push(`UNTIL=${untilValue(choice.until, allDay, zone)}`);
  return `RRULE:${pairs.join(";")}`;
}

function untilValue(isoDate, allDay, zone) {
  if (allDay) return isoDate.replaceAll("-", "");
  // 23:59:59 on that day where the series is, written in UTC.
  const last = new Date(instantIn(isoDate, "23:59", zone).getTime() + 59_000);
  return last.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function list(names) {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function longDate(isoDate) {
  const { year, month, day } = dayFacts(isoDate);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

// A rule (the event's recurrence lines) in words; `start` is the series' first date.
export function ruleInWords(lines, start, zone = "UTC") {
  const line = (lines ?? []).find((l) => l.toUpperCase().startsWith("RRULE:"));
  if (!line) return "";
  const choice = toChoice(line, zone);
  if (!choice) return `Repeats: ${line.slice(6)}`;
  const facts = dayFacts(start);
  const every = choice.interval > 1 ? `Every ${choice.interval} ${UNIT[choice.freq]}s` : WORD[choice.freq];
  let text = every;
  if (choice.freq === "WEEKLY") {
    const days = choice.days.length ? choice.days : [DAYS[facts.weekday]];
    text += ` on ${list(days.map((d) => SHORT[DAYS.indexOf(d)]))}`;
  } else if (choice.freq === "MONTHLY" && choice.monthly === "nth") {
    const day = choice.days[0];
    text += ` on the ${ORDINAL[choice.nth]} ${LONG[DAYS.indexOf(day)]}`;
  } else if (choice.freq === "MONTHLY") {
    text += ` on day ${facts.day}`;
  } else if (choice.freq === "YEARLY") {
    text += ` on ${facts.day} ${MONTHS[facts.month - 1]}`;
  }
  if (choice.ends === "count") text += choice.count === 1 ? ", once" : `, ${choice.count} times`;
  if (choice.ends === "until") text += `, until ${longDate(choice.until)}`;
  const more = (lines ?? []).filter((l) => /^EXDATE/i.test(l)).length;
  return more ? `${text} (with exceptions)` : text;
}

// The picker's preset choices for a series starting on `start`.
export function presets(start) {
  const facts = dayFacts(start);
  const weekday = DAYS[facts.weekday];
  return {
    daily: { freq: "DAILY", interval: 1, ends: "never" },
    weekly: { freq: "WEEKLY", interval: 1, days: [weekday], ends: "never" },
    weekdays: { freq: "WEEKLY", interval: 1, days: DAYS.slice(0, 5), ends: "never" },
    "monthly-day": { freq: "MONTHLY", interval: 1, monthly: "day", ends: "never" },
    "monthly-nth": { freq: "MONTHLY", interval: 1, monthly: "nth", nth: facts.nth, days: [weekday], ends: "never" },
    yearly: { freq: "YEARLY", interval: 1, ends: "never" },
  };
}

// The preset's label for a series starting on `start` ("Weekly on Friday").
export function presetLabels(start) {
  const facts = dayFacts(start);
  return {
    none: "Does not repeat",
    daily: "Daily",
    weekly: `Weekly on ${LONG[facts.weekday]}`,
    weekdays: "Every weekday (Monday to Friday)",
    "monthly-day": `Monthly on day ${facts.day}`,
    "monthly-nth": `Monthly on the ${ORDINAL[facts.nth]} ${LONG[facts.weekday]}`,
    yearly: `Annually on ${facts.day} ${MONTHS[facts.month - 1]}`,
    custom: "Custom…",
  };
}
