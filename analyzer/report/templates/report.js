// fundscout HTML report: sorting, filtering and the project details, without any library.
// Data comes from the JSON block above; it is parsed, never evaluated, and written to the
// page only through textContent and attributes.
(function () {
  "use strict";
  var source = document.getElementById("fundscout-data");
  var table = document.getElementById("ranking");
  if (!source || !table) {
    return;
  }
  var rows = JSON.parse(source.textContent).rows;
  var body = table.tBodies[0];
  var byRank = {};
  Array.prototype.forEach.call(body.rows, function (tr) {
    byRank[tr.getAttribute("data-rank")] = tr;
  });
  var state = { key: "rank", descending: false };
  var filters = {
    text: document.getElementById("filter-text"),
    ecosystem: document.getElementById("filter-ecosystem"),
    status: document.getElementById("filter-status"),
    funded: document.getElementById("filter-funded"),
    shown: document.getElementById("shown")
  };

  function unknown(value) {
    return value === null || value === undefined || value === "";
  }

  function compare(key, descending) {
    return function (a, b) {
      var x = a[key];
      var y = b[key];
      if (x === y) {
        return a.rank - b.rank;
      }
      // Unknown values go last in both directions: unknown is not zero.
      if (unknown(x)) {
        return 1;
      }
      if (unknown(y)) {
        return -1;
      }
      var order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return descending ? -order : order;
    };
  }

  function sortBy(key) {
    var numeric = key !== "rank" && key !== "name" && key !== "ecosystems" && key !== "status";
    state.descending = state.key === key ? !state.descending : numeric;
    state.key = key;
    rows.slice().sort(compare(key, state.descending)).forEach(function (row) {
      body.appendChild(byRank[row.rank]);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute("data-key") === key) {
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  function applyFilters() {
    var needle = filters.text.value.trim().toLowerCase();
    var ecosystem = filters.ecosystem.value;
    var status = filters.status ? filters.status.value : "";
    var funded = filters.funded.checked;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!needle || row.search.indexOf(needle) !== -1) &&
        (!ecosystem || row.ecosystems.indexOf(ecosystem) !== -1) &&
        (!status || row.status === status) &&
        (!funded || row.funded);
      byRank[row.rank].hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    filters.shown.textContent = shown + " of " + rows.length + " shown";
  }

  function openDetail(rank) {
    var detail = document.getElementById("project-" + rank);
    if (!detail) {
      return false;
    }
    detail.open = true;
    return true;
  }

  function fromHash() {
    var match = /^#project-(\d+)$/.exec(window.location.hash);
    if (match && openDetail(match[1])) {
      document.getElementById("project-" + match[1]).scrollIntoView({ block: "start" });
    }
  }

  function choose(tr, viaLink) {
    var rank = tr.getAttribute("data-rank");
    // The name's own link navigates by itself; elsewhere in the row, navigate for it.
    if (openDetail(rank) && !viaLink) {
      window.location.hash = "project-" + rank;
    }
  }

  table.tHead.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-sort]");
    if (button) {
      sortBy(button.getAttribute("data-sort"));
    }
  });
  body.addEventListener("click", function (event) {
    var tr = event.target.closest("tr[data-rank]");
    if (tr) {
      choose(tr, event.target.closest("a") !== null);
    }
  });
  body.addEventListener("keydown", function (event) {
    var tr = event.target.closest("tr[data-rank]");
    if (tr && event.key === "Enter" && event.target === tr) {
      choose(tr, false);
    }
  });
  [filters.text, filters.ecosystem, filters.status, filters.funded].forEach(function (input) {
    if (!input) {
      return; // no eligibility filter when the report has no eligibility yet
    }
    input.addEventListener("input", applyFilters);
    input.addEventListener("change", applyFilters);
  });
  window.addEventListener("hashchange", fromHash);

  // Printing shows every detail; what was closed closes again afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details:not([open])"), function (detail) {
        detail.open = true;
        return true;
      });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (detail) {
      detail.open = false;
    });
    openedForPrint = [];
  });

  document.getElementById("filters").hidden = false;
  applyFilters();
  fromHash();
}());
