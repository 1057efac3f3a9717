// Name pickers for the event list's filters: an input with data-types offers, in its
// <datalist>, the records whose name matches what is typed, each with what it is. The names
// come from this server's GET /search, read with the page's own session, so a viewer is only
// ever offered the records they may see. Nothing is fetched from anywhere else.
(function () {
  "use strict";
  var form = document.querySelector("form[data-kinds]");
  if (!form) { return; }
  var kinds = JSON.parse(form.getAttribute("data-kinds"));
  var WAIT = 200; // milliseconds of quiet typing before asking
  var OFFERED = 10;
  var ASKED = 50; // the search filters by type after its index: ask for more, offer the best

  function option(hit) {
    var item = document.createElement("option");
    var what = kinds[hit.place_kind] || kinds[hit.type] || "record";
    if (hit.place) { what += ", in " + hit.place; }
    if (hit.start) { what += ", " + hit.start; }
    item.value = hit.name;
    item.label = what;
    item.textContent = what;
    return item;
  }

  form.querySelectorAll("input[data-types]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var types = input.getAttribute("data-types").split(" ");
    var timer = null;
    var asked = "";

    function offer() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) { return; }
      asked = text;
      var query = new URLSearchParams({ q: text, limit: String(ASKED) });
      types.forEach(function (type) { query.append("type", type); });
      fetch("/search?" + query.toString(), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : { results: [] }; })
        .then(function (found) {
          if (input.value.trim() !== text) { return; }
          var items = found.results.filter(function (hit) { return hit.name; })
            .slice(0, OFFERED).map(option);
          list.replaceChildren.apply(list, items);
          list.setAttribute("data-offered-for", text); // what the offers answer
        })
        .catch(function () { asked = ""; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(offer, WAIT);
    });
  });
})();
