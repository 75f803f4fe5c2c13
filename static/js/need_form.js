// The need form offers only the norms of the chosen category and the levels of the chosen
// norm. Without this script every norm and level is listed and the server refuses a mismatch.
(function () {
  var data = document.getElementById("need-norm-levels");
  var category = document.getElementById("category");
  var norm = document.getElementById("norm");
  var level = document.getElementById("min_level_rank");
  if (!data || !category || !norm || !level) {
    return;
  }
  var norms = JSON.parse(data.textContent);
  var levelOptions = Array.prototype.slice.call(level.options).map(function (option) {
    return { value: option.value, text: option.text };
  });

  function filterNorms() {
    Array.prototype.forEach.call(norm.options, function (option) {
      var info = norms[option.value];
      var shown = !info || !category.value || info.category === category.value;
      option.hidden = !shown;
      option.disabled = !shown;
    });
    if (norm.selectedOptions.length && norm.selectedOptions[0].disabled) {
      norm.value = "";
    }
  }

  function filterLevels() {
    var info = norms[norm.value];
    var names = info ? info.levels : [];
    var chosen = level.value;
    level.innerHTML = "";
    levelOptions.forEach(function (item) {
      var rank = parseInt(item.value, 10);
      if (rank > names.length) {
        return;
      }
      var option = document.createElement("option");
      option.value = item.value;
      option.text = rank === 0 ? item.text : "Level " + rank + " of the norm: " + names[rank - 1];
      level.appendChild(option);
    });
    level.value = parseInt(chosen, 10) <= names.length ? chosen : "0";
  }

  category.addEventListener("change", function () {
    filterNorms();
    filterLevels();
  });
  norm.addEventListener("change", filterLevels);
  filterNorms();
  filterLevels();
})();
