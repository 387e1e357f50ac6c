// Historical Sync: choosing Invoices also ticks Accounts and Products (the server enforces it too).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-historical-form] input[data-module='invoices']") || !box.checked) return;
  ["accounts", "products"].forEach(function (module) {
    var other = box.form.querySelector("input[data-module='" + module + "']");
    if (other) other.checked = true;
  });
});
