// Picking an answer template fills in the answer (and status) for the planner to edit.
// Without this script the "Fill in the template" button does the same on the server.
(function () {
  "use strict";
  var data = document.getElementById("answer-templates");
  var form = document.querySelector("[data-answer-form]");
  if (!data || !form) return;
  var templates = JSON.parse(data.textContent);
  var picker = form.querySelector("select[name=template]");
  var answer = form.querySelector("textarea[name=answer]");
  var status = form.querySelector("select[name=status]");
  var button = form.querySelector("[data-prefill-button]");
  if (button) button.style.display = "none";
  if (!picker || !answer) return;
  picker.addEventListener("change", function () {
    var chosen = templates[picker.value];
    if (!chosen) return;
    if (answer.value.trim() && !window.confirm(picker.dataset.confirm || "Replace the answer?")) return;
    answer.value = chosen.body;
    if (status && chosen.status) status.value = chosen.status;
    answer.focus();
  });
})();
