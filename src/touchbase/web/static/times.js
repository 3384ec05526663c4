// Wall-clock times in a named time zone, and back, with nothing but Intl.

export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// The zone the pages show times in: the user's setting, or else this browser's.
export let shownZone = browserZone;

export function isZone(name) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return Boolean(name);
  } catch {
    return false;
  }
}

export function showTimesIn(zone) {
  shownZone = zone && isZone(zone) ? zone : browserZone;
}

function parts(instant, zone) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  const out = {};
  for (const part of format.formatToParts(instant)) out[part.type] = part.value;
  return out;
}

// {date: "YYYY-MM-DD", time: "HH:MM"} of an instant as a clock in `zone` shows it.
export function wallClock(instant, zone) {
  const p = parts(instant, zone);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

function offsetMs(instant, zone) {
  const p = parts(instant, zone);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

// The instant a wall clock in `zone` shows as `date` `time`.
export function instantIn(date, time, zone) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let instant = new Date(guess - offsetMs(new Date(guess), zone));
  instant = new Date(guess - offsetMs(instant, zone));
  return instant;
}

export function addDays(date, days) {
  const [y, m, d] = date.split("-").map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

// A Date's calendar day in the zone the pages show, as YYYY-MM-DD.
export function localDate(instant) {
  return wallClock(instant, shownZone).date;
}

export function isDateOnly(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value ?? "");
}

export function zoneNames() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [browserZone, "UTC"];
  }
}
