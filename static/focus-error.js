// The DSFR error pattern: the error summary takes the focus, so that it is read first.
(function () {
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }
})();
