// The API documentation page (templates/api/docs.html): Redoc draws the served schema.
(function () {
  "use strict";
  var element = document.getElementById("api-docs");
  if (element && window.Redoc) {
    window.Redoc.init(element.dataset.schemaUrl, { hideDownloadButton: false }, element);
  }
})();
