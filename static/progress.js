// Follows a long computation (an open-data correction) without reloading the page: reads its
// progress every two seconds, moves the bar and the detail, and says the stage when it
// changes (a polite live region). Once it has ended, the page is read again for its outcome.
(function () {
  var section = document.querySelector('[data-status-url]');
  if (!section) { return; }
  var url = section.getAttribute('data-status-url');
  var bar = document.getElementById('correction-bar');
  var phase = document.getElementById('correction-phase');
  var step = document.getElementById('correction-step');
  function poll() {
    fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (status) {
        if (!status.pending) { window.location.reload(); return; }
        bar.value = status.percent;
        bar.textContent = status.percent + ' %';
        if (phase.textContent !== status.phase) { phase.textContent = status.phase; }
        step.textContent = status.step;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
