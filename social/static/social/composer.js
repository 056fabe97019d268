// Live limit counters and previews for the social composer. The server counts (each platform
// counts differently: X weighs characters, Bluesky counts graphemes); this script only asks.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-url]");
  if (!form) return;
  var url = form.getAttribute("data-check-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (_, key) { return obj[key]; });
  };
  var attach = document.getElementById("attach_map");
  var alt = document.getElementById("alt_text");

  function check(area) {
    var counter = document.getElementById("counter_" + area.dataset.channel);
    var preview = form.querySelector('[data-preview-for="' + area.dataset.channel + '"]');
    if (preview) preview.textContent = area.value;
    if (!area.value.trim()) { counter.textContent = gettext("Skipped: no text."); return; }
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify({
        channel: area.dataset.channel,
        text: area.value,
        image: attach ? attach.checked : false,
        alt: alt ? alt.value : ""
      })
    }).then(function (response) { return response.json(); }).then(function (result) {
      var text = interpolate(gettext("%(length)s of %(limit)s"), result, true);
      if (result.cost_usd) text += " · " + interpolate(gettext("costs about $%(cost)s"), { cost: result.cost_usd }, true);
      var problems = (result.errors || []).concat(result.warnings || []);
      if (problems.length) text += " · " + problems.join(" ");
      counter.textContent = text;
      counter.classList.toggle("social-over", !result.ok);
      area.setAttribute("aria-invalid", result.ok ? "false" : "true");
    }).catch(function () { counter.textContent = ""; });
  }

  var timers = {};
  form.querySelectorAll("textarea[data-channel]").forEach(function (area) {
    area.addEventListener("input", function () {
      clearTimeout(timers[area.id]);
      timers[area.id] = setTimeout(function () { check(area); }, 250);
    });
    check(area);
  });
  function recheckAll() { form.querySelectorAll("textarea[data-channel]").forEach(check); }
  if (attach) attach.addEventListener("change", function () {
    form.querySelectorAll("[data-preview-image]").forEach(function (img) { img.hidden = !attach.checked; });
    recheckAll();
  });
  if (alt) alt.addEventListener("change", recheckAll);
})();
