window.addEventListener("error", function (event) {
  var root = document.documentElement;
  var seen = root.getAttribute("data-errors") || "";
  root.setAttribute("data-errors", seen + (event.message || "script error") + "\n");
});
