// Mapping editor enhancement. The form is the truth: every gesture here only sets a box's <select>.
// Drag a Zoho field (SortableJS) into a box, or with the keyboard: Enter/Space on a Zoho field picks it up,
// Enter on a box's "Drop here" drops it, Escape cancels. All visible texts come from the template.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.querySelector("[data-role=mapping-form]");
    if (!form) return;
    // Drag and drop works: its help replaces the one for the plain lists (shown without JavaScript).
    var dragHelp = document.querySelector("[data-role=drag-help]");
    var listHelp = document.querySelector("[data-role=no-drag-help]");
    if (dragHelp) dragHelp.hidden = false;
    if (listHelp) listHelp.hidden = true;
    var announcer = document.querySelector("[data-role=announcer]");
    var picked = null;

    function text(name, values) {
      var message = form.getAttribute("data-msg-" + name) || "";
      Object.keys(values || {}).forEach(function (key) {
        message = message.split("{" + key + "}").join(values[key]);
      });
      return message;
    }

    function announce(message) {
      if (announcer) announcer.textContent = message;
    }

    function selectOf(box) {
      return box.querySelector("select[name^='zoho:']");
    }

    function joinSelectOf(box) {
      return box.querySelector("select[name^='join:']");
    }

    function optionLabel(select, value) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) return select.options[i];
      }
      return null;
    }

    function renderChips(box) {
      var list = box.querySelector("[data-role=drop-list]");
      list.innerHTML = "";
      [selectOf(box), joinSelectOf(box)].forEach(function (select) {
        if (!select || !select.value) return;
        var source = document.querySelector(".palette [data-field='" + CSS.escape(select.value) + "']");
        var label = source ? source.getAttribute("data-label") : select.value;
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.setAttribute("data-field", select.value);
        chip.appendChild(document.createTextNode(label + " "));
        var code = document.createElement("code");
        code.textContent = select.value;
        chip.appendChild(code);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("data-role", "remove");
        remove.setAttribute("aria-label", text("remove", { field: label }));
        remove.textContent = "×";
        chip.appendChild(remove);
        list.appendChild(chip);
      });
    }

    function showMessage(box, message) {
      box.querySelector("[data-role=message]").textContent = message;
      announce(message);
    }

    // Put a Zoho field (its palette element) into a box: check the type, set the select, redraw the chips.
    function drop(source, box) {
      var field = source.getAttribute("data-field");
      var kind = source.getAttribute("data-kind");
      var label = source.getAttribute("data-label") || field;
      var path = box.getAttribute("data-path");
      var accepts = (box.getAttribute("data-accepts") || "").split(" ");
      var select = selectOf(box);
      var sameLevel = source.getAttribute("data-line") === box.getAttribute("data-line");
      if (!sameLevel || accepts.indexOf(kind) === -1 || !optionLabel(select, field)) {
        showMessage(box, text("incompatible", {
          field: label, kind: source.getAttribute("data-kind-label") || kind, xero: path, type: box.getAttribute("data-type"),
        }));
        renderChips(box);
        return false;
      }
      select.value = field;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChips(box);
      showMessage(box, "");
      announce(text("dropped", { field: label, xero: path }));
      return true;
    }

    function unpick() {
      if (picked) picked.setAttribute("aria-pressed", "false");
      picked = null;
      form.querySelectorAll(".xero-box.awaiting").forEach(function (box) { box.classList.remove("awaiting"); });
    }

    // Keyboard (and click) path.
    form.querySelectorAll(".palette [data-field]").forEach(function (chip) {
      chip.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          var again = picked === chip;
          unpick();
          if (again) return;
          picked = chip;
          chip.setAttribute("aria-pressed", "true");
          form.querySelectorAll(".xero-box").forEach(function (box) { box.classList.add("awaiting"); });
          announce(text("picked", { field: chip.getAttribute("data-label") }));
          // Move on to the first box that takes this kind of field; Tab goes on from there.
          var kind = chip.getAttribute("data-kind"), line = chip.getAttribute("data-line");
          var target = Array.prototype.find.call(form.querySelectorAll(".xero-box"), function (box) {
            return box.getAttribute("data-line") === line && (box.getAttribute("data-accepts") || "").split(" ").indexOf(kind) !== -1;
          });
          if (target) target.querySelector("[data-role=drop-here]").focus();
        } else if (event.key === "Escape") {
          unpick();
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") unpick();
    });

    form.querySelectorAll(".xero-box").forEach(function (box) {
      var dropHere = box.querySelector("[data-role=drop-here]");
      dropHere.hidden = false;
      dropHere.addEventListener("click", function () {
        if (!picked) {
          showMessage(box, text("nothing"));
          return;
        }
        var source = picked;
        unpick();
        drop(source, box);
      });
      box.addEventListener("click", function (event) {
        var remove = event.target.closest("[data-role=remove]");
        if (!remove) return;
        var field = remove.closest("[data-field]").getAttribute("data-field");
        [selectOf(box), joinSelectOf(box)].forEach(function (select) {
          if (select && select.value === field) {
            select.value = "";
            select.dispatchEvent(new Event("change", { bubbles: true }));
          }
        });
        renderChips(box);
        announce(text("removed", { field: field, xero: box.getAttribute("data-path") }));
      });
      [selectOf(box), joinSelectOf(box)].forEach(function (select) {
        if (select) select.addEventListener("change", function () { renderChips(box); });
      });
      renderChips(box);
    });

    // Drag and drop (SortableJS): the palette gives copies, each box's list takes one. The pointer-event mode
    // (forceFallback) behaves the same with mouse, pen and touch.
    if (typeof Sortable === "undefined") return;
    var common = { sort: false, animation: 0, forceFallback: true, fallbackOnBody: true, fallbackTolerance: 2 };
    form.querySelectorAll("[data-role=palette]").forEach(function (palette) {
      Sortable.create(palette, Object.assign({ group: { name: "zoho-fields", pull: "clone", put: false } }, common));
    });
    form.querySelectorAll("[data-role=drop-list]").forEach(function (list) {
      Sortable.create(list, Object.assign({}, common, {
        group: { name: "zoho-fields", pull: false, put: true },
        onAdd: function (event) {
          var source = event.item;
          var box = list.closest(".xero-box");
          if (source.parentNode) source.parentNode.removeChild(source);
          drop(source, box);
        },
      }));
    });
  });
})();
