// The public booking page: choose a session (calendar or list, live seats), attendees,
// review, pay by the server's Stripe payment link, confirmation. See docs/website.md.

import { Rpc, RpcError } from "./rpc.js";
import { GROUP_SIZE, ageOn, day, icsFile, londonDate, money, quote, seatsText, time } from "./format.js";

const MAX_SEATS = 12;
const POLL_MS = 2000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ]{7,20}$/;
const STEPS = ["choose", "attendees", "review", "pay", "done"];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const embedded = params.get("embed") === "1";
// Inside the widget: the page embedding it, where Stripe Checkout sends the visitor back to.
const returnPage = embedded ? params.get("return") : null;
// Stripe Checkout sends the visitor back here with ?paid=REF or ?cancelled=REF (the widget
// passes its page's ?rft_paid=REF on, with the booking's hold token after the #).
const returned = { paid: params.get("paid"), cancelled: params.get("cancelled") };
const handedToken = new URLSearchParams(location.hash.slice(1)).get("token");
if (returned.paid || returned.cancelled || location.hash) {
  const clean = new URLSearchParams(params);
  clean.delete("paid");
  clean.delete("cancelled");
  history.replaceState(null, "", `${location.pathname}${clean.size ? `?${clean}` : ""}`);
}
const rpc = new Rpc(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/public`);

const state = {
  step: "choose",
  view: "calendar",
  month: new Date(new Date().getFullYear(), new Date().getMonth(), 1),
  courses: new Map(),
  venues: new Map(),
  sessions: new Map(),
  selectedDay: null,
  session: null,
  hold: null,
  people: [],
  booking: null,
  link: null,
  lastSeq: null,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value; // the CSP allows no style attributes
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// ---- the booking being paid, kept in this tab ------------------------------------------

function recallBooking() {
  try {
    return JSON.parse(sessionStorage.getItem("rft-booking") || "null");
  } catch {
    return null; // storage refused (a blocked frame): the return still says what it can
  }
}

function rememberBooking(booking) {
  try {
    sessionStorage.setItem("rft-booking", JSON.stringify({ reference: booking.reference, hold_token: booking.hold_token }));
  } catch {
    // without storage a reload cannot resume; the confirmation email still comes
  }
}

function forgetBooking() {
  try {
    sessionStorage.removeItem("rft-booking");
  } catch {
    // nothing was kept
  }
  if (returnPage) window.parent.postMessage({ rftForget: true }, new URL(returnPage).origin);
}

// ---- messages -------------------------------------------------------------------------

function showAlert(message, { good = false, extra = null, focus = true } = {}) {
  const box = $("alert");
  box.replaceChildren(el("p", { text: message }), ...(extra ? [extra] : []));
  box.classList.toggle("good", good);
  box.hidden = false;
  if (focus) box.focus();
}

function clearAlert() {
  $("alert").hidden = true;
  $("alert").replaceChildren();
}

function problem(error) {
  if (error instanceof RpcError) return error.message;
  return "Something went wrong on this page. Please reload it and try again.";
}

// ---- steps ------------------------------------------------------------------------------

function go(step) {
  state.step = step;
  for (const name of STEPS) {
    $(`step-${name}`).hidden = name !== step;
    const item = document.querySelector(`.steps [data-step="${name}"]`);
    if (name === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  const withSummary = step !== "choose";
  $("summary").hidden = !withSummary;
  document.querySelector(".layout").classList.toggle("with-summary", withSummary);
  renderSummary();
  renderHold();
  const heading = document.querySelector(`#step-${step} h2`);
  heading.setAttribute("tabindex", "-1");
  heading.focus();
  reportHeight();
}

// ---- catalogue, sessions and live seats -------------------------------------------------

function filters() {
  const form = $("filters");
  const out = {};
  for (const name of ["course", "venue", "search"]) {
    const value = form.elements[name].value.trim();
    if (value) out[name] = value;
  }
  return out;
}

function colour(session) {
  const course = state.courses.get(session.course);
  return session.colour || (course && course.colour) || "#0b4f8a";
}

function bookable(session) {
  return session.status !== "CANCELLED" && new Date(session.start) > new Date();
}

async function loadCatalogue() {
  const catalogue = await rpc.call("catalogue.get");
  for (const course of catalogue.courses) state.courses.set(course.id, course);
  for (const venue of catalogue.venues) state.venues.set(venue.id, venue);
  const courseSelect = $("f-course");
  const venueSelect = $("f-venue");
  courseSelect.replaceChildren(el("option", { value: "", text: "All courses" }));
  venueSelect.replaceChildren(el("option", { value: "", text: "All venues" }));
  for (const course of catalogue.courses) courseSelect.append(el("option", { value: course.id, text: course.name }));
  for (const venue of catalogue.venues) venueSelect.append(el("option", { value: venue.id, text: venue.name }));
  if (state.courses.has(params.get("course"))) courseSelect.value = params.get("course");
  if (state.venues.has(params.get("venue"))) venueSelect.value = params.get("venue");
}

function range() {
  if (state.view === "calendar") {
    const first = state.month;
    const last = new Date(first.getFullYear(), first.getMonth() + 1, 0);
    return { date_from: isoDay(first), date_to: isoDay(last) };
  }
  const from = $("f-from").value || isoDay(new Date());
  const to = $("f-to").value;
  return to ? { date_from: from, date_to: to } : { date_from: from };
}

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

let loading = 0;
async function loadSessions() {
  const ticket = ++loading;
  const { date_from: from, date_to: to } = range();
  if (to && from > to) {
    showAlert("The 'From' date is after the 'To' date; please change one of them.", { focus: false });
    return;
  }
  try {
    const found = await rpc.call("sessions.list", { ...filters(), ...range() });
    if (ticket !== loading) return;
    state.sessions = new Map(found.filter(bookable).map((s) => [s.id, s]));
    renderSessions();
  } catch (error) {
    if (ticket === loading) showAlert(problem(error), { focus: false });
  }
}

async function subscribe() {
  if (state.lastSeq === null) state.lastSeq = (await rpc.call("changes.head")).head;
  await rpc.call("changes.subscribe", { after_seq: state.lastSeq });
}

function onPush(event) {
  const { changes, last_seq: lastSeq } = event.detail;
  state.lastSeq = lastSeq;
  let touched = false;
  for (const change of changes) {
    if (change.kind !== "session") continue;
    const session = change.data;
    if (state.session && state.session.id === session.id) state.session = session;
    if (state.sessions.has(session.id)) {
      if (bookable(session)) state.sessions.set(session.id, session);
      else state.sessions.delete(session.id);
      touched = true;
    }
  }
  if (touched && state.step === "choose") renderSessions();
}

// ---- calendar and list --------------------------------------------------------------------

function renderSessions() {
  $("calendar").hidden = state.view !== "calendar";
  $("list").hidden = state.view !== "list";
  $("show-calendar").setAttribute("aria-pressed", String(state.view === "calendar"));
  $("show-list").setAttribute("aria-pressed", String(state.view === "list"));
  if (state.view === "calendar") renderCalendar();
  else renderList($("list"), sortedSessions());
  reportHeight();
}

function sortedSessions(filter = () => true) {
  return [...state.sessions.values()].filter(filter).sort((a, b) => a.start.localeCompare(b.start));
}

function renderCalendar() {
  const first = state.month;
  const title = first.toLocaleDateString("en-GB", { month: "long", year: "numeric" });
  const nav = el(
    "div",
    { class: "month-nav" },
    el("button", { type: "button", class: "secondary", onclick: () => moveMonth(-1), "aria-label": "Previous month" }, "‹ Previous"),
    el("strong", { "aria-live": "polite", text: title }),
    el("button", { type: "button", class: "secondary", onclick: () => moveMonth(1), "aria-label": "Next month" }, "Next ›"),
  );
  const byDay = new Map();
  for (const session of sortedSessions()) {
    const key = londonDate(session.start);
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(session);
  }
  const table = el("table", {}, el("caption", { class: "visually-hidden", text: `Courses in ${title}` }));
  const head = el("tr");
  for (const name of ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]) head.append(el("th", { scope: "col", text: name }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  const start = new Date(first);
  start.setDate(1 - ((first.getDay() + 6) % 7));
  for (let week = 0; week < 6; week++) {
    const row = el("tr");
    for (let i = 0; i < 7; i++) {
      const date = new Date(start);
      date.setDate(start.getDate() + week * 7 + i);
      const key = isoDay(date);
      const inMonth = date.getMonth() === first.getMonth();
      const sessions = inMonth ? byDay.get(key) || [] : [];
      const cell = el("td", { class: inMonth ? "" : "other" });
      if (sessions.length) {
        const label = `${date.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" })}: ${sessions.length} course${sessions.length === 1 ? "" : "s"}`;
        const dots = sessions.map((s) => el("span", { class: "dot", style: `background:${colour(s)}`, "aria-hidden": "true" }));
        const chosen = state.selectedDay === key;
        cell.append(el("button", { type: "button", class: "day-button", "aria-label": label, "aria-current": chosen ? "date" : null, onclick: () => selectDay(key) }, el("span", { class: "day", text: String(date.getDate()) }), ...dots));
        if (chosen) cell.classList.add("chosen");
      } else if (inMonth) {
        cell.append(el("span", { class: "day", text: String(date.getDate()) }));
      }
      row.append(cell);
    }
    body.append(row);
    if (start.getMonth() !== first.getMonth() && week > 3) break;
  }
  table.append(body);
  const chosenDay = state.selectedDay && state.selectedDay.startsWith(isoDay(first).slice(0, 7)) ? state.selectedDay : null;
  const listing = el("div", { id: "day-list" });
  if (chosenDay) {
    listing.append(el("h3", { text: day(`${chosenDay}T12:00:00Z`) }));
    renderList(listing, sortedSessions((s) => londonDate(s.start) === chosenDay));
  } else {
    const count = state.sessions.size;
    listing.append(el("p", { class: "empty", text: count ? "Choose a day with a dot to see its courses." : "No courses match in this month. Try another month or fewer filters." }));
  }
  $("calendar").replaceChildren(nav, table, listing);
}

function moveMonth(delta) {
  state.month = new Date(state.month.getFullYear(), state.month.getMonth() + delta, 1);
  state.selectedDay = null;
  loadSessions();
}

function selectDay(key) {
  state.selectedDay = key;
  renderCalendar();
  const list = $("day-list").querySelector("button:not([disabled])") || $("day-list").querySelector("h3");
  if (list) list.focus();
}

function card(session) {
  const full = session.free <= 0;
  const heading = `${session.course_name}`;
  return el(
    "article",
    { class: "card", "data-session": String(session.id), "aria-label": `${heading}, ${day(session.start)}` },
    el("h3", {}, el("span", { class: "swatch", style: `background:${colour(session)}`, "aria-hidden": "true" }), heading),
    el("p", { class: "meta", text: `${day(session.start)}, ${time(session.start)}–${time(session.end)} · ${session.venue_name}` }),
    el(
      "div",
      { class: "row" },
      el("p", { class: `seats${full ? " full" : ""}`, text: `${seatsText(session)} · ${money(session.price_pence)} each` }),
      full
        ? el("button", { type: "button", class: "secondary", onclick: () => showFull(session, 1), "aria-label": `${heading} on ${day(session.start)} is fully booked: other dates, venues or the waiting list` }, "Other dates or waiting list")
        : el("button", { type: "button", onclick: () => choose(session.id), "aria-label": `Book ${heading} on ${day(session.start)}` }, "Book"),
    ),
  );
}

// ---- when a session cannot take the seats: alternatives and the waiting list -------------

function distanceText(alternative, chosen) {
  const where = alternative.distance_km > 0 ? `${alternative.distance_km} km away` : "same venue";
  const when = alternative.start < chosen.start ? "earlier" : "later";
  return `${where}, ${when}`;
}

// The same course elsewhere or on other dates (nearest venue first, from the server), and a
// form to join this session's waiting list for the seats wanted.
async function showFull(session, seats) {
  const panel = $("full");
  const title = el("h3", { id: "full-title", tabindex: "-1", text: `${session.course_name} on ${day(session.start)} cannot take ${seats} ${seats === 1 ? "person" : "people"}` });
  const others = el("div", { class: "alternatives" }, el("p", { class: "meta", text: "Looking for other dates and venues…" }));
  panel.replaceChildren(title, others, waitlistForm(session, seats), el("button", { type: "button", class: "secondary", onclick: closeFull }, "Close"));
  panel.hidden = false;
  reportHeight();
  title.focus();
  try {
    const found = await rpc.call("sessions.alternatives", { session_id: session.id, seats });
    const buttons = found.map((a) =>
      el("li", {}, el("button", { type: "button", class: "secondary", onclick: () => choose(a.id, seats) }, `${day(a.start)} at ${a.venue_name} (${a.free} seat${a.free === 1 ? "" : "s"} free; ${distanceText(a, session)})`)),
    );
    others.replaceChildren(
      buttons.length
        ? el("p", { class: "meta", text: `The same course with room for ${seats}, nearest venue first:` })
        : el("p", { class: "meta", text: `No other date or venue for this course has room for ${seats} at the moment.` }),
      ...(buttons.length ? [el("ul", { class: "others" }, ...buttons)] : []),
    );
  } catch (error) {
    others.replaceChildren(el("p", { class: "meta", text: problem(error) }));
  }
  reportHeight();
}

function closeFull() {
  $("full").hidden = true;
  $("full").replaceChildren();
  reportHeight();
}

const JOIN_FIELDS = [
  { key: "name", label: "Your name", type: "text", autocomplete: "name" },
  { key: "email", label: "Your email", type: "email", autocomplete: "email" },
];

function waitlistForm(session, seats) {
  const seatsSelect = el("select", { id: "w-seats", name: "seats", "aria-describedby": "w-seats-hint" });
  for (let n = 1; n <= MAX_SEATS; n++) seatsSelect.append(el("option", { value: String(n), text: String(n) }));
  seatsSelect.value = String(seats);
  const fields = JOIN_FIELDS.map((f) =>
    el("div", { class: "field" }, el("label", { for: `w-${f.key}`, text: f.label }), el("input", { id: `w-${f.key}`, name: f.key, type: f.type, autocomplete: f.autocomplete, maxlength: "120", "aria-describedby": `w-${f.key}-error` }), el("p", { class: "error", id: `w-${f.key}-error`, hidden: true })),
  );
  const outcome = el("p", { id: "w-outcome", role: "status" });
  const form = el(
    "form",
    { id: "waitlist-form", class: "waitlist", novalidate: true, "aria-labelledby": "w-title" },
    el("h4", { id: "w-title", text: "Join the waiting list for this date" }),
    el("p", { class: "hint", text: "If places come free we hold them for you and email you a link to book them. We only need one name and email for the group." }),
    el("div", { class: "grid" }, ...fields, el("div", { class: "field" }, el("label", { for: "w-seats", text: "Places needed" }), seatsSelect, el("p", { class: "hint", id: "w-seats-hint", text: "A group waits for all its places together." }))),
    el("button", { type: "submit" }, "Join the waiting list"),
    outcome,
  );
  form.addEventListener("submit", (event) => joinWaitlist(event, session, form, outcome));
  return form;
}

async function joinWaitlist(event, session, form, outcome) {
  event.preventDefault();
  const name = $("w-name").value.trim();
  const email = $("w-email").value.trim();
  const errors = { name: name ? "" : "Enter your name.", email: EMAIL.test(email) ? "" : "Enter an email address like name@example.co.uk." };
  let first = null;
  for (const key of ["name", "email"]) {
    const input = $(`w-${key}`);
    $(`w-${key}-error`).textContent = errors[key];
    $(`w-${key}-error`).hidden = !errors[key];
    if (errors[key]) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    first = first || (errors[key] ? input : null);
  }
  if (first) {
    first.focus();
    return;
  }
  const seats = Number($("w-seats").value);
  outcome.classList.remove("error");
  try {
    const joined = await rpc.call("waitlist.join", { session_id: session.id, seats, contact: { name, email } });
    form.replaceChildren(el("p", { id: "w-outcome", role: "status", class: "joined", tabindex: "-1", text: joined.message }));
    $("w-outcome").focus();
  } catch (error) {
    outcome.classList.add("error");
    outcome.textContent = problem(error);
  }
  reportHeight();
}

function renderList(container, sessions) {
  if (container === $("list")) container.replaceChildren();
  if (!sessions.length) {
    container.append(el("p", { class: "empty", text: "No courses match. Try other dates or fewer filters." }));
    return;
  }
  for (const session of sessions) container.append(card(session));
}

// ---- holding seats ------------------------------------------------------------------------

async function choose(sessionId, seats = Number($("count").value) || 1) {
  clearAlert();
  let session = state.sessions.get(sessionId);
  try {
    session = session || (await rpc.call("sessions.get", { id: sessionId })); // an alternative in another month
    await releaseHold();
    const hold = await rpc.call("holds.create", { session_id: sessionId, seats });
    state.hold = hold;
    state.session = session;
    state.booking = null;
    $("count").disabled = false;
    $("back-attendees").hidden = false;
    setCount(seats);
    closeFull();
    go("attendees");
  } catch (error) {
    if (error instanceof RpcError && error.code === -32010) {
      if (state.step !== "choose") go("choose");
      showAlert(`Sorry, someone else has just taken the last ${seats === 1 ? "seat" : "seats"} on ${session.course_name} on ${day(session.start)}. Other dates and venues, and the waiting list, are below.`, { focus: false });
      showFull(session, seats);
    } else {
      showAlert(problem(error));
    }
  }
}

async function releaseHold() {
  if (!state.hold) return;
  const { id, hold_token: token } = state.hold;
  state.hold = null;
  try {
    await rpc.call("holds.release", { hold_id: id, hold_token: token });
  } catch {
    // the hold ends on its own when it expires
  }
}

async function resize(seats) {
  const previous = state.hold.seats;
  try {
    const hold = await rpc.call("holds.extend", { hold_id: state.hold.id, hold_token: state.hold.hold_token, seats });
    state.hold = { ...state.hold, ...hold };
    clearAlert();
  } catch (error) {
    setCount(previous);
    if (error instanceof RpcError && error.code === -32010) {
      const most = error.data.free; // this hold's own seats included
      const session = state.session;
      const elsewhere = el("button", { type: "button", class: "secondary", onclick: () => leaveForFull(session, seats) }, `Other dates, venues or the waiting list for ${seats}`);
      showAlert(`Only ${most} seat${most === 1 ? " is" : "s are"} available on this session, so you can book up to that many here.`, { extra: elsewhere });
    } else if (error instanceof RpcError && error.code === -32011) {
      holdLost();
    } else {
      showAlert(problem(error));
    }
  }
  renderSummary();
}

// Give up the seats held here and look for room for the whole group elsewhere.
async function leaveForFull(session, seats) {
  await releaseHold();
  clearAlert();
  go("choose");
  loadSessions();
  showFull(session, seats);
}

async function keepAlive() {
  if (!state.hold || state.hold.offered) return;
  try {
    const hold = await rpc.call("holds.extend", { hold_id: state.hold.id, hold_token: state.hold.hold_token });
    state.hold = { ...state.hold, ...hold };
  } catch (error) {
    if (error instanceof RpcError && (error.code === -32011 || error.code === -32004)) holdLost();
  }
}

function holdLost() {
  state.hold = null;
  state.session = null;
  go("choose");
  loadSessions();
  showAlert("Your held seats were released because time ran out. The details you typed are kept: choose a session again to continue.");
}

function renderHold() {
  const box = $("hold");
  let until = null;
  let what = "";
  if (state.hold && (state.step === "attendees" || state.step === "review")) {
    until = Date.parse(state.hold.expires_at);
    what = `${state.hold.seats} seat${state.hold.seats === 1 ? "" : "s"} held for you`;
  } else if (state.link && state.step === "pay") {
    until = Date.parse(state.link.expires_at);
    what = "Places reserved while you pay";
  }
  if (until === null) {
    box.hidden = true;
    return;
  }
  const left = Math.max(0, Math.round((until - Date.now()) / 1000));
  box.hidden = false;
  box.textContent = `${what}: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left`;
  box.classList.toggle("low", left < 120);
  if (left === 0 && state.step !== "pay") holdLost();
}

// ---- attendees ----------------------------------------------------------------------------

function setCount(seats) {
  const select = $("count");
  if (!select.options.length) {
    for (let n = 1; n <= MAX_SEATS; n++) select.append(el("option", { value: String(n), text: String(n) }));
  }
  select.value = String(seats);
  while (state.people.length < seats) state.people.push({ name: "", email: "", date_of_birth: "", phone: "", special_requirements: "" });
  renderPeople(seats);
  if (state.session) {
    const course = state.courses.get(state.session.course);
    $("chosen").textContent = `${state.session.course_name}, ${day(state.session.start)} ${time(state.session.start)}–${time(state.session.end)} at ${state.session.venue_name}. Minimum age ${course ? course.min_age : 16}.`;
  }
}

const FIELDS = [
  { key: "name", label: "Full name", type: "text", autocomplete: "name", required: true },
  { key: "email", label: "Email", type: "email", autocomplete: "email", required: true },
  { key: "date_of_birth", label: "Date of birth", type: "date", autocomplete: "bday", required: true },
  { key: "phone", label: "Phone (optional)", type: "tel", autocomplete: "tel" },
  { key: "special_requirements", label: "Special requirements (optional)", type: "textarea" },
];

function renderPeople(seats) {
  const holder = $("people");
  holder.replaceChildren();
  for (let i = 0; i < seats; i++) {
    const person = state.people[i];
    const grid = el("div", { class: "grid" });
    for (const field of FIELDS) {
      const id = `p${i}-${field.key}`;
      const input =
        field.type === "textarea"
          ? el("textarea", { id, name: id, rows: "2", maxlength: "500" })
          : el("input", { id, name: id, type: field.type, autocomplete: i === 0 ? field.autocomplete : "off", required: !!field.required, maxlength: field.type === "date" ? null : "120" });
      input.value = person[field.key] || "";
      input.setAttribute("aria-describedby", `${id}-error`);
      input.addEventListener("input", () => {
        person[field.key] = input.value;
      });
      grid.append(el("div", { class: "field" }, el("label", { for: id, text: field.label }), input, el("p", { class: "error", id: `${id}-error`, hidden: true })));
    }
    holder.append(el("fieldset", { class: "person" }, el("legend", { text: `Attendee ${i + 1}` }), grid));
  }
  reportHeight();
}

function personErrors(person) {
  const errors = {};
  const course = state.courses.get(state.session.course);
  const minAge = course ? course.min_age : 16;
  if (!person.name.trim()) errors.name = "Enter the attendee's full name.";
  else if (person.name.trim().length > 120) errors.name = "A name can be at most 120 characters.";
  if (!person.email.trim()) errors.email = "Enter an email address, for the joining instructions.";
  else if (!EMAIL.test(person.email.trim())) errors.email = "Enter an email address like name@example.co.uk.";
  if (!person.date_of_birth) errors.date_of_birth = "Enter the date of birth.";
  else if (Number.isNaN(Date.parse(person.date_of_birth)) || person.date_of_birth > isoDay(new Date())) errors.date_of_birth = "Enter a real date of birth in the past.";
  else if (ageOn(person.date_of_birth, state.session.start) < minAge) errors.date_of_birth = `Attendees must be at least ${minAge} on the day of the course.`;
  if (person.phone.trim() && !PHONE.test(person.phone.trim())) errors.phone = "A phone number has digits, spaces and an optional + at the start.";
  return errors;
}

function showFieldErrors(all) {
  let first = null;
  const seats = Number($("count").value);
  for (let i = 0; i < seats; i++) {
    for (const field of FIELDS) {
      const id = `p${i}-${field.key}`;
      const message = (all[i] || {})[field.key];
      const input = $(id);
      const error = $(`${id}-error`);
      error.hidden = !message;
      error.textContent = message || "";
      if (message) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
  }
  return first;
}

function attendeesPayload() {
  const seats = Number($("count").value);
  return state.people.slice(0, seats).map((p) => {
    const out = { name: p.name.trim(), email: p.email.trim(), date_of_birth: p.date_of_birth };
    if (p.phone.trim()) out.phone = p.phone.trim();
    if (p.special_requirements.trim()) out.special_requirements = p.special_requirements.trim();
    return out;
  });
}

async function submitAttendees(event) {
  event.preventDefault();
  const seats = Number($("count").value);
  const errors = state.people.slice(0, seats).map(personErrors);
  const first = showFieldErrors(errors);
  const count = errors.reduce((n, e) => n + Object.keys(e).length, 0);
  if (first) {
    showAlert(`Please correct ${count} detail${count === 1 ? "" : "s"} below.`, { focus: false });
    first.focus();
    return;
  }
  clearAlert();
  keepAlive();
  if (!(await eligible())) return;
  renderReview();
  go("review");
}

// A requalification course is only for people whose certificate is in date or only just
// ran out: the server says so (the desk's and rft book's own words) before the review.
async function eligible() {
  const attendees = attendeesPayload().map(({ name, email }) => ({ name, email }));
  try {
    const verdict = await rpc.call("eligibility.check", { session_id: state.session.id, attendees });
    if (verdict.eligible) return true;
    notEligible(verdict);
    return false;
  } catch {
    return true; // booking checks again, and says so
  }
}

function notEligible(verdict) {
  const name = verdict.full_course_name || "the full course";
  const full = verdict.full_course
    ? el("button", { type: "button", id: "full-course", onclick: () => bookFullCourse(verdict.full_course) }, `Book ${name} instead`)
    : null;
  showAlert(verdict.reason, { extra: full });
}

// Back to the first step with the full course chosen; the attendees typed are kept.
async function bookFullCourse(courseId) {
  await releaseHold();
  clearAlert();
  state.session = null;
  $("f-course").value = courseId;
  state.view = "list";
  go("choose");
  await loadSessions();
}

// ---- review, booking and payment ----------------------------------------------------------

function renderReview() {
  const rows = attendeesPayload().map((p) => el("tr", {}, el("td", { text: p.name }), el("td", { text: p.email }), el("td", { text: new Date(`${p.date_of_birth}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }) })));
  clearAgreementErrors("terms", "consent");
  $("review").replaceChildren(
    el("p", { text: $("chosen").textContent }),
    el("table", { class: "review-table" }, el("caption", { class: "visually-hidden", text: "Attendees" }), el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Name" }), el("th", { scope: "col", text: "Email" }), el("th", { scope: "col", text: "Date of birth" }))), el("tbody", {}, ...rows)),
  );
}

// The two agreements are asked for only once "Book and pay" is pressed without them: each
// review starts without messages, and ticking a box takes its own message away.
function clearAgreementErrors(...ids) {
  for (const id of ids) {
    $(`${id}-error`).hidden = true;
    $(`${id}-error`).textContent = "";
    $(id).removeAttribute("aria-invalid");
  }
}

function checkBox(id, message) {
  const box = $(id);
  const error = $(`${id}-error`);
  error.hidden = box.checked;
  error.textContent = box.checked ? "" : message;
  if (box.checked) box.removeAttribute("aria-invalid");
  else box.setAttribute("aria-invalid", "true");
  return box.checked ? null : box;
}

async function submitReview(event) {
  event.preventDefault();
  const missing = [checkBox("terms", "Please agree to the booking terms to book."), checkBox("consent", "Please confirm you may give us the attendees' details.")].filter(Boolean);
  if (missing.length) {
    missing[0].focus();
    return;
  }
  const button = $("to-pay");
  button.disabled = true;
  button.textContent = "Booking…";
  try {
    if (!state.booking) {
      // Made once: if the payment link fails next, pressing the button again only asks for
      // the link, and a reload resumes this booking instead of leaving it stranded.
      const made = await rpc.call("bookings.create", { hold_id: state.hold.id, hold_token: state.hold.hold_token, attendees: attendeesPayload() });
      state.booking = { ...made, hold_token: state.hold.hold_token };
      state.hold = null;
      rememberBooking(state.booking);
    }
    const booking = state.booking;
    showPay(booking, await paymentLink(booking));
  } catch (error) {
    if (error instanceof RpcError && error.code === -32011) holdLost();
    else if (error instanceof RpcError && error.code === -32016) {
      go("attendees");
      notEligible({ reason: error.message, ...error.data });
    } else if (error instanceof RpcError && error.code === -32602) {
      go("attendees");
      showAlert(error.message);
    } else showAlert(problem(error));
  } finally {
    button.disabled = false;
    button.textContent = "Book and pay";
    $("back-attendees").hidden = Boolean(state.booking); // made: its attendees are fixed
  }
}

// The payment link; inside the widget, one that returns to the page embedding it. A site
// the server may not return to (not in RFT_WIDGET_ORIGINS) pays in a new tab instead.
async function paymentLink(booking) {
  const owner = { reference: booking.reference, hold_token: booking.hold_token };
  if (!returnPage) return rpc.call("payments.link", owner);
  try {
    return { ...(await rpc.call("payments.link", { ...owner, return_url: returnPage })), top: true };
  } catch (error) {
    if (!(error instanceof RpcError && error.data.field === "return_url")) throw error;
    return rpc.call("payments.link", owner);
  }
}

// Stripe's page cannot be framed: inside the widget the embedding page takes the whole
// window to Stripe (see payTop), which sends the visitor back to it; a frame the server
// may not send anyone back to pays in a new tab and keeps waiting here. A page of its own
// pays in the same tab and Stripe sends the visitor back to it.
function showPay(booking, link, waiting = "Waiting for your payment…") {
  state.link = link;
  $("pay-reference").textContent = booking.reference;
  const pay = $("pay-link");
  const newTab = embedded && !link.top;
  pay.href = link.url;
  if (embedded) {
    pay.target = newTab ? "_blank" : "_top";
    pay.rel = newTab ? "noopener" : "";
  }
  pay.textContent = `Pay ${money(booking.total_pence)} with Stripe${newTab ? " (opens a new tab)" : ""}`;
  $("pay-waiting").textContent = waiting;
  go("pay");
  waitForPayment();
}

async function waitForPayment() {
  while (state.step === "pay" && state.booking) {
    try {
      const now = await rpc.call("bookings.status", { reference: state.booking.reference, hold_token: state.booking.hold_token });
      if (now.status === "CONFIRMED") {
        done(now);
        return;
      }
      if (now.status === "CANCELLED") {
        forgetBooking();
        showAlert(`Booking ${now.reference} was cancelled because the payment link expired unpaid. Nothing was charged; please book again.`);
        state.booking = null;
        go("choose");
        return;
      }
    } catch {
      // a lost connection comes back by itself; keep waiting
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function payTop(event) {
  if (!state.link || !state.link.top || !state.booking) return;
  event.preventDefault(); // the embedding page goes to Stripe, keeping the booking to come back to
  const { reference, hold_token: token } = state.booking;
  window.parent.postMessage({ rftCheckout: { url: state.link.url, reference, hold_token: token } }, new URL(returnPage).origin);
}

function done(booking) {
  forgetBooking();
  state.booking = { ...state.booking, ...booking };
  state.link = null;
  $("done-reference").textContent = booking.reference;
  const s = booking.session;
  $("done-details").replaceChildren(
    el("p", { text: `${s.course_name}, ${day(s.start)} ${time(s.start)}–${time(s.end)} at ${s.venue_name}.` }),
    el("p", { text: `${booking.attendees} attendee${booking.attendees === 1 ? "" : "s"}, paid ${money(booking.total_pence)}.` }),
  );
  const ics = $("ics");
  ics.href = `data:text/calendar;charset=utf-8,${encodeURIComponent(icsFile(booking, location.host))}`;
  ics.setAttribute("download", `${booking.reference}.ics`);
  go("done");
  showAlert(`Payment received. Booking ${booking.reference} is confirmed.`, { good: true, focus: false });
}

// ---- pricing summary ---------------------------------------------------------------------

function renderSummary() {
  const body = $("summary-body");
  const session = state.booking ? state.booking.session : state.session;
  if (!session) {
    body.replaceChildren();
    return;
  }
  const seats = state.booking ? state.booking.attendees || state.booking.seats : Number($("count").value || 1);
  const price = state.booking
    ? { unit: state.booking.unit_price_pence, subtotal: state.booking.subtotal_pence, discount: state.booking.discount_pence, total: state.booking.total_pence }
    : quote(session.price_pence, seats);
  const rows = [
    ["Course", session.course_name],
    ["When", `${day(session.start)}, ${time(session.start)}`],
    ["Where", session.venue_name],
    [`${seats} × ${money(price.unit)}`, money(price.subtotal)],
  ];
  if (price.discount) rows.push([`Group discount (10%, ${GROUP_SIZE}+ people)`, `−${money(price.discount)}`]);
  const list = el("dl");
  for (const [term, value] of rows) list.append(el("dt", { text: term }), el("dd", { text: value }));
  list.append(el("dt", { class: "total", text: "Total" }), el("dd", { class: "total", text: money(price.total) }));
  const hint = !state.booking && seats < GROUP_SIZE ? el("p", { class: "hint", text: `Book ${GROUP_SIZE} or more people for 10% off.` }) : null;
  body.replaceChildren(list, ...(hint ? [hint] : []));
}

// ---- embedding --------------------------------------------------------------------------

function reportHeight() {
  if (embedded && window.parent !== window) {
    window.parent.postMessage({ rftHeight: document.documentElement.scrollHeight }, "*");
  }
}

// ---- start ---------------------------------------------------------------------------------

// A waiting-list offer's email links to ?offer=HOLD_ID&token=TOKEN: the seats are already
// held, so the page goes straight to the attendees step with that hold and its countdown.
const offer = { id: params.get("offer"), token: params.get("token") };

async function takeOffer() {
  if (!offer.id || !offer.token || state.hold || state.booking) return;
  const { id, token } = offer;
  offer.id = offer.token = null; // taken once; a reconnect keeps the hold it has
  try {
    const hold = await rpc.call("holds.get", { hold_id: id, hold_token: token });
    const session = await rpc.call("sessions.get", { id: hold.session_id });
    state.hold = { ...hold, hold_token: token, offered: true };
    state.session = session;
    $("back-attendees").hidden = false;
    setCount(hold.seats);
    $("count").disabled = true; // the offer is for these seats; resizing would shorten it
    go("attendees");
  } catch (error) {
    if (error instanceof RpcError && (error.code === -32004 || error.code === -32011)) {
      showAlert("This waiting-list offer has ended or its link is not complete, so its seats are no longer held. You can still choose any session with seats below.", { focus: false });
    } else showAlert(problem(error), { focus: false });
  }
}

async function resume() {
  const back = returned.paid || returned.cancelled;
  const saved = back && handedToken ? { reference: back, hold_token: handedToken } : recallBooking();
  const paidBack = Boolean(returned.paid);
  returned.paid = returned.cancelled = null; // only the first connection acts on the return
  if (back && (!saved || saved.reference !== back)) {
    showAlert(`This browser tab has no booking ${back} in progress. If you paid, the confirmation email for ${back} is on its way to the first attendee.`, { focus: false });
  }
  if (!saved || state.booking) return;
  try {
    const booking = await rpc.call("bookings.status", saved);
    state.booking = { ...booking, hold_token: saved.hold_token };
    rememberBooking(state.booking); // the widget handed it over: a reload resumes it too
    if (booking.status === "CONFIRMED") done(booking);
    else if (booking.status === "PENDING_PAYMENT") {
      let link;
      try {
        link = await paymentLink(state.booking);
      } catch (error) {
        const now = await rpc.call("bookings.status", saved); // the payment may land meanwhile
        if (now.status !== "CONFIRMED") throw error;
        done(now);
        return;
      }
      const paid = back === booking.reference && paidBack;
      showPay(booking, link, paid ? "Stripe has taken you back here; waiting for your payment to be recorded…" : undefined);
      if (back === booking.reference && !paid) showAlert(`You left Stripe's page without paying. Your places stay reserved under ${booking.reference} until the time below: pay when you are ready.`, { focus: false });
    } else forgetBooking();
  } catch {
    forgetBooking();
  }
}

function wire() {
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  for (const id of ["f-course", "f-venue", "f-from", "f-to"]) $(id).addEventListener("change", loadSessions);
  let typing;
  $("f-search").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(loadSessions, 300);
  });
  $("show-calendar").addEventListener("click", () => {
    state.view = "calendar";
    loadSessions();
  });
  $("show-list").addEventListener("click", () => {
    state.view = "list";
    loadSessions();
  });
  $("count").addEventListener("change", () => {
    const seats = Number($("count").value);
    setCount(seats);
    resize(seats);
  });
  $("attendees-form").addEventListener("submit", submitAttendees);
  $("review-form").addEventListener("submit", submitReview);
  $("pay-link").addEventListener("click", payTop);
  for (const id of ["terms", "consent"]) {
    $(id).addEventListener("change", () => {
      if ($(id).checked) clearAgreementErrors(id);
    });
  }
  $("back-choose").addEventListener("click", async () => {
    await releaseHold();
    go("choose");
    loadSessions();
  });
  $("back-attendees").addEventListener("click", () => {
    keepAlive();
    go("attendees");
  });
  $("book-again").addEventListener("click", () => {
    $("terms").checked = $("consent").checked = false; // a new booking is agreed afresh
    state.booking = null;
    state.session = null;
    go("choose");
    loadSessions();
  });
  rpc.addEventListener("push", onPush);
  rpc.addEventListener("open", async () => {
    $("connection").hidden = true;
    try {
      if (!state.courses.size) await loadCatalogue();
      await subscribe();
      await loadSessions();
      await resume();
      await takeOffer();
    } catch (error) {
      showAlert(problem(error), { focus: false });
    }
  });
  rpc.addEventListener("close", (event) => {
    const note = $("connection");
    // A connection refused outright is most often the limit on open booking pages per address.
    note.textContent = event.detail.opened
      ? "Connection lost; reconnecting… Seats shown may be out of date."
      : "Cannot reach the booking service. If you have several booking pages open, close the others; trying again…";
    note.hidden = false;
  });
  window.addEventListener("pagehide", () => releaseHold()); // leaving gives the seats back
  setInterval(renderHold, 1000);
  if (embedded) new ResizeObserver(reportHeight).observe(document.body);
  document.querySelector(".steps [data-step=choose]").setAttribute("aria-current", "step");
}

wire();
