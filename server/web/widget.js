// The RFT booking widget: put this script and <div data-rft-booking></div> on any page.
// Each such element becomes the booking page in a frame (optional data-course and
// data-venue preselect the filters); the frame tells this script its height.
// Stripe Checkout cannot be framed, so to pay the frame asks this script to take the whole
// window there; Stripe sends the visitor back to this page with ?rft_paid=REF (or
// ?rft_cancelled=REF), and the frame shows the booking again. See docs/website.md.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var KEY = "rft-booking"; // {reference, hold_token} of the booking being paid, this tab only
  var here = new URL(location.href);
  var back = { paid: here.searchParams.get("rft_paid"), cancelled: here.searchParams.get("rft_cancelled") };
  var page = new URL(location.href); // where Stripe should send the visitor back to
  page.hash = "";
  page.searchParams.delete("rft_paid");
  page.searchParams.delete("rft_cancelled");
  if (back.paid || back.cancelled) history.replaceState(history.state, "", page.href + location.hash);

  function recall() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "null");
    } catch (e) {
      return null; // storage refused: the frame says the confirmation email is on its way
    }
  }

  function remember(booking) {
    try {
      if (booking) sessionStorage.setItem(KEY, JSON.stringify(booking));
      else sessionStorage.removeItem(KEY);
    } catch (e) {
      // without storage the return still works, minus the booking's details
    }
  }

  function checkout(request) {
    var url = String(request.url || "");
    if (!/^https?:\/\//.test(url)) return;
    remember({ reference: String(request.reference), hold_token: String(request.hold_token) });
    location.assign(url);
  }

  function mount(element) {
    if (element.getAttribute("data-rft-mounted")) return;
    element.setAttribute("data-rft-mounted", "1");
    var query = new URLSearchParams({ embed: "1", return: page.href });
    if (element.dataset.course) query.set("course", element.dataset.course);
    if (element.dataset.venue) query.set("venue", element.dataset.venue);
    var reference = back.paid || back.cancelled;
    var saved = recall();
    var token = "";
    if (reference) {
      query.set(back.paid ? "paid" : "cancelled", reference);
      if (saved && saved.reference === reference) token = "#token=" + encodeURIComponent(saved.hold_token);
    }
    var frame = document.createElement("iframe");
    frame.src = origin + "/book/?" + query.toString() + token;
    frame.title = "Book a first-aid course with React Fast Training";
    frame.style.cssText = "width:100%;min-height:40rem;border:0;display:block";
    if (!reference) frame.setAttribute("loading", "lazy");
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      var height = Number(data.rftHeight);
      if (height > 0 && height < 20000) frame.style.height = height + "px";
      if (data.rftCheckout) checkout(data.rftCheckout);
      if (data.rftForget) remember(null);
    });
    element.replaceChildren(frame);
    if (reference) element.scrollIntoView();
  }

  function mountAll() {
    document.querySelectorAll("[data-rft-booking]").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
