/* Small enhancements of server-rendered pages (everything works without them). */
(function () {
  "use strict";
  var filter = document.getElementById("series-filter");
  if (filter) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#series-table tbody tr"));
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      rows.forEach(function (tr) { tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0; });
    });
  }
})();
