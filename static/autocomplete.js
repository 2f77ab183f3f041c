// Commune suggestions while typing (the form works without this script).
(function () {
  var input = document.getElementById("lieu");
  var list = document.getElementById("lieu-suggestions");
  var hidden = document.getElementById("commune");
  if (!input || !list || !hidden || !window.fetch) return;
  var byLabel = {};
  var timer = null;
  function label(c) { return c.name + " (" + (c.postcodes[0] || c.departement) + ")"; }
  input.addEventListener("input", function () {
    hidden.value = byLabel[input.value] || "";
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2 || byLabel[input.value]) return;
    timer = setTimeout(function () {
      fetch("/api/v1/geo/communes?limit=8&q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.innerHTML = "";
          byLabel = {};
          data.results.forEach(function (c) {
            var option = document.createElement("option");
            option.value = label(c);
            byLabel[option.value] = c.code;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
