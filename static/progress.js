// Follows a long computation (an open-data correction) without reloading the page: reads its
// progress every two seconds, moves the bar and the detail, and says the stage when it
// changes (a polite live region). Once it has ended, the page is read again and its outcome
// takes the focus, so that it is read out. If the progress cannot be read any more (the
// session ended, the server is away), the page says so instead of waiting in silence.
(function () {
  var ENDED = 'correction-ended';
  var outcome = document.getElementById('correction-outcome');
  if (outcome && window.sessionStorage.getItem(ENDED) === window.location.pathname) {
    window.sessionStorage.removeItem(ENDED);
    outcome.focus();
  }
  var section = document.querySelector('[data-status-url]');
  if (!section) { return; }
  var url = section.getAttribute('data-status-url');
  var bar = document.getElementById('correction-bar');
  var phase = document.getElementById('correction-phase');
  var step = document.getElementById('correction-step');
  var failures = 0;
  function poll() {
    fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        if (!status.pending) {
          window.sessionStorage.setItem(ENDED, window.location.pathname);
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = status.percent + ' %';
        if (phase.textContent !== status.phase) { phase.textContent = status.phase; }
        step.textContent = status.step;
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures === 3) {
          phase.textContent = "L'avancement ne peut plus être lu : actualisez la page (le calcul, lui, continue sur le serveur).";
        }
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 2000);
})();
