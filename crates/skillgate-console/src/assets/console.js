// skillgate console: live requests over server-sent events, forms posted with fetch.
// Every fragment inserted here was rendered and escaped by the server.
(function () {
  'use strict';

  function post(form) {
    return fetch(form.dataset.post, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Skillgate-Console': '1'
      },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (r) { return r.text(); });
  }

  document.querySelectorAll('form[data-post]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var target = document.getElementById(form.dataset.target);
      var button = form.querySelector('button');
      if (button) { button.disabled = true; }
      post(form).then(function (html) {
        if (form.dataset.mode === 'prepend') {
          target.insertAdjacentHTML('afterbegin', html);
        } else {
          target.innerHTML = html;
        }
        if (form.dataset.clear) {
          var input = form.elements[form.dataset.clear];
          if (input) { input.value = ''; input.focus(); }
        }
      }).catch(function (e) {
        target.insertAdjacentText('afterbegin', 'request failed: ' + e);
      }).finally(function () {
        if (button) { button.disabled = false; }
      });
    });
  });

  var pane = document.getElementById('requests-pane');
  if (!pane) { return; }
  var rows = document.getElementById('request-rows');
  var status = document.getElementById('live-status');
  var empty = document.getElementById('no-requests');
  var skillFilter = document.getElementById('filter-skill');
  var outcomeFilter = document.getElementById('filter-outcome');
  var detail = document.getElementById('detail');

  function visible(row) {
    var skill = skillFilter.value, outcome = outcomeFilter.value;
    return (!skill || row.dataset.skill === skill) &&
      (!outcome || row.dataset.outcome === outcome);
  }
  function filter() {
    rows.querySelectorAll('tr').forEach(function (row) { row.hidden = !visible(row); });
  }
  skillFilter.addEventListener('change', filter);
  outcomeFilter.addEventListener('change', filter);

  function addSkill(name) {
    for (var i = 0; i < skillFilter.options.length; i++) {
      if (skillFilter.options[i].value === name) { return; }
    }
    var option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    skillFilter.appendChild(option);
  }

  function show(row) {
    rows.querySelectorAll('tr.selected').forEach(function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    fetch('/console/requests/' + encodeURIComponent(row.dataset.seq), { credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (html) { detail.innerHTML = html; });
  }
  rows.addEventListener('click', function (ev) {
    var row = ev.target.closest('tr');
    if (row) { show(row); }
  });
  rows.addEventListener('keydown', function (ev) {
    var row = ev.target.closest('tr');
    if (row && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); show(row); }
  });

  var MAX_ROWS = 500;
  var source = new EventSource('/console/events?after=' + encodeURIComponent(pane.dataset.lastSeq));
  source.addEventListener('open', function () {
    status.textContent = 'live';
    status.className = 'status live';
  });
  source.addEventListener('error', function () {
    status.textContent = 'reconnecting…';
    status.className = 'status down';
  });
  source.addEventListener('lagged', function () { window.location.reload(); });
  source.addEventListener('request', function (ev) {
    if (rows.querySelector('tr[data-seq="' + CSS.escape(ev.lastEventId) + '"]')) { return; }
    var holder = document.createElement('tbody');
    holder.innerHTML = ev.data;
    var row = holder.firstElementChild;
    if (!row) { return; }
    row.classList.add('new');
    row.hidden = !visible(row);
    addSkill(row.dataset.skill);
    rows.insertBefore(row, rows.firstChild);
    while (rows.children.length > MAX_ROWS) { rows.removeChild(rows.lastChild); }
    empty.hidden = true;
    pane.dataset.lastSeq = ev.lastEventId;
  });
})();
