// Adds rows to the phase and category formsets from their <template>, keeping Django's
// management form in step. Without JavaScript the form still offers one blank row of each.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var container = document.querySelector('[data-formset="' + prefix + '"]');
    var template = document.querySelector('[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!container || !template || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = container.lastElementChild;
      var first = row && row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
  });
  // A phase's kind ticks what that kind usually allows; the planner can change the boxes after.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-phase-presets]");
    if (!select) return;
    var presets = JSON.parse(select.getAttribute("data-phase-presets"));
    var allowed = presets[select.value] || [];
    var row = select.closest("[data-formset-row]");
    row.querySelectorAll("input[type=checkbox][name*='-allows_']").forEach(function (box) {
      var flag = box.name.slice(box.name.lastIndexOf("-") + 1);
      box.checked = allowed.indexOf(flag) !== -1;
    });
  });
  var summary = document.getElementById("form-error-summary");
  if (summary) summary.focus();
})();
