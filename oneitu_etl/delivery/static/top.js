// Links marked target="_top" (Airflow, the reports, the Data Docs) open in the top window.
//
// Airflow shows the delivery page in an iframe sandboxed without "allow-top-navigation",
// so the browser refuses a plain target="_top" link. The iframe is same-origin (it has
// "allow-same-origin"), so the click is handed to an identical link in the top document,
// whose navigation is the top window's own. Outside an iframe, the link works as it is.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[target="_top"]') : null;
    if (!link || window.top === window.self || event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    var proxy;
    try {
      proxy = window.top.document.createElement("a");
    } catch (error) {
      return; // another origin: leave it to the browser
    }
    event.preventDefault();
    proxy.href = link.href;
    proxy.style.display = "none";
    window.top.document.body.appendChild(proxy);
    proxy.click();
  });
})();
