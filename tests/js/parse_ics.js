#!/usr/bin/env node
// Parse an .ics file with Mozilla's ical.js (Thunderbird's parser) and print JSON:
//   {"timezones": [tzid...], "events": [...], "todos": [...]}
// Each event/todo: uid, summary, start (UTC ISO, or the date for all-day), end/due,
// tzid (null for UTC/floating/date), floating (a local time with no zone at all),
// tz_resolved (the TZID names a VTIMEZONE in the file, so clients can place it), sequence.
//
// Generic on purpose: any test can run `node tests/js/parse_ics.js FILE` on something
// we produced and assert on the JSON. Exit 1 (with the message on stderr) if ical.js
// cannot parse the file at all.
"use strict";

const fs = require("fs");
const ICAL = require("ical.js");

function main(path) {
  const text = fs.readFileSync(path, "utf8");
  const root = new ICAL.Component(ICAL.parse(text));

  // Register every VTIMEZONE so TZID times resolve to real offsets, as a client
  // does; a TZID with no VTIMEZONE stays unresolved (ical.js treats it as floating).
  const timezones = [];
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    const tz = new ICAL.Timezone(vtz);
    ICAL.TimezoneService.register(tz.tzid, tz);
    timezones.push(tz.tzid);
  }

  function when(prop) {
    if (!prop) return { iso: null, tzid: null, resolved: true, floating: false };
    const t = prop.getFirstValue();
    const tzid = prop.getParameter("tzid") || null;
    if (t.isDate) return { iso: t.toString(), tzid, resolved: true, floating: false };
    const resolved = tzid === null || ICAL.TimezoneService.has(tzid);
    const utc = t.zone === ICAL.Timezone.utcTimezone;
    const floating = tzid === null && !utc;
    let iso = null;
    if (resolved && !floating) {
      iso = new Date(t.toUnixTime() * 1000).toISOString();
    }
    return { iso, tzid, resolved, floating };
  }

  function describe(comp, endName) {
    const start = when(comp.getFirstProperty("dtstart"));
    const end = when(comp.getFirstProperty(endName));
    const seq = comp.getFirstPropertyValue("sequence");
    return {
      uid: comp.getFirstPropertyValue("uid"),
      summary: comp.getFirstPropertyValue("summary"),
      description: comp.getFirstPropertyValue("description"),
      start: start.iso,
      end: end.iso,
      tzid: start.tzid || end.tzid,
      floating: start.floating || end.floating,
      tz_resolved: start.resolved && end.resolved,
      sequence: seq === null ? null : Number(seq),
      alarms: comp.getAllSubcomponents("valarm").length,
    };
  }

  return {
    timezones,
    events: root.getAllSubcomponents("vevent").map((c) => describe(c, "dtend")),
    todos: root.getAllSubcomponents("vtodo").map((c) => describe(c, "due")),
  };
}

if (process.argv.length !== 3) {
  process.stderr.write("usage: node parse_ics.js FILE.ics\n");
  process.exit(2);
}
try {
  process.stdout.write(JSON.stringify(main(process.argv[2]), null, 1) + "\n");
} catch (e) {
  process.stderr.write(`ical.js could not parse ${process.argv[2]}: ${e.message}\n`);
  process.exit(1);
}
