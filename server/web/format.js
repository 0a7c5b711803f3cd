// Money, dates, prices and calendar files, the way the booking page shows them.

export const GROUP_SIZE = 5;
const GROUP_DISCOUNT_PERCENT = 10;

export function money(pence) {
  return new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" }).format(pence / 100);
}

export function quote(unitPence, attendees) {
  const subtotal = unitPence * attendees;
  const discount = attendees >= GROUP_SIZE ? Math.floor((subtotal * GROUP_DISCOUNT_PERCENT + 50) / 100) : 0;
  return { unit: unitPence, attendees, subtotal, discount, total: subtotal - discount };
}

const LONDON = "Europe/London";

export function day(iso) {
  return new Date(iso).toLocaleDateString("en-GB", { timeZone: LONDON, weekday: "short", day: "numeric", month: "short", year: "numeric" });
}

export function time(iso) {
  return new Date(iso).toLocaleTimeString("en-GB", { timeZone: LONDON, hour: "2-digit", minute: "2-digit" });
}

export function londonDate(iso) {
  // YYYY-MM-DD of the instant in London
  return new Date(iso).toLocaleDateString("en-CA", { timeZone: LONDON });
}

export function seatsText(session) {
  if (session.free <= 0) return "Fully booked";
  return `${session.free} of ${session.capacity} seat${session.capacity === 1 ? "" : "s"} free`;
}

export function ageOn(dateOfBirth, onIso) {
  const born = new Date(`${dateOfBirth}T00:00:00Z`);
  const on = new Date(`${londonDate(onIso)}T00:00:00Z`);
  let age = on.getUTCFullYear() - born.getUTCFullYear();
  const before = on.getUTCMonth() < born.getUTCMonth() || (on.getUTCMonth() === born.getUTCMonth() && on.getUTCDate() < born.getUTCDate());
  return before ? age - 1 : age;
}

function icsTime(iso) {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function icsText(text) {
  return String(text).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
}

export function icsFile(booking, host) {
  const session = booking.session;
  const days = session.days && session.days.length ? session.days : [{ start: session.start, end: session.end }];
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//React Fast Training//Booking//EN", "METHOD:PUBLISH"];
  days.forEach((d, i) => {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${booking.reference}-${i + 1}@${host}`,
      `DTSTAMP:${icsTime(new Date().toISOString())}`,
      `DTSTART:${icsTime(d.start)}`,
      `DTEND:${icsTime(d.end)}`,
      `SUMMARY:${icsText(`${session.course_name} (${booking.reference})`)}`,
      `LOCATION:${icsText(`${session.venue_name}${session.room ? `, ${session.room}` : ""}`)}`,
      `DESCRIPTION:${icsText(`React Fast Training booking ${booking.reference}: ${booking.attendees} attendee(s).`)}`,
      "END:VEVENT",
    );
  });
  lines.push("END:VCALENDAR");
  return lines.join("\r\n") + "\r\n";
}
