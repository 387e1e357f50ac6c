// Small progressive enhancements. Everything works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector("[data-nav-toggle]");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A form marked data-warn-unsaved says so once something in it changed: its notice shows, its buttons stay in
  // view (sticky), and leaving the page asks first. Without JavaScript the form simply saves on submit.
  var dirty = [];
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var mark = function () {
      if (form.classList.contains("is-dirty")) return;
      form.classList.add("is-dirty");
      form.querySelectorAll("[data-unsaved-notice]").forEach(function (notice) { notice.hidden = false; });
      dirty.push(form);
    };
    form.addEventListener("change", mark);
    form.addEventListener("input", mark);
    form.addEventListener("submit", function () { dirty = dirty.filter(function (f) { return f !== form; }); });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.length) { event.preventDefault(); event.returnValue = ""; }
  });
});
