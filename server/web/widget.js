// The RFT booking widget: put this script and <div data-rft-booking></div> on any page.
// Each such element becomes the booking page in a frame (optional data-course and
// data-venue preselect the filters); the frame tells this script its height.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;

  function mount(element) {
    if (element.getAttribute("data-rft-mounted")) return;
    element.setAttribute("data-rft-mounted", "1");
    var query = new URLSearchParams({ embed: "1" });
    if (element.dataset.course) query.set("course", element.dataset.course);
    if (element.dataset.venue) query.set("venue", element.dataset.venue);
    var frame = document.createElement("iframe");
    frame.src = origin + "/book/?" + query.toString();
    frame.title = "Book a first-aid course with React Fast Training";
    frame.style.cssText = "width:100%;min-height:40rem;border:0;display:block";
    frame.setAttribute("loading", "lazy");
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var height = event.data && Number(event.data.rftHeight);
      if (height > 0 && height < 20000) frame.style.height = height + "px";
    });
    element.replaceChildren(frame);
  }

  function mountAll() {
    document.querySelectorAll("[data-rft-booking]").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
