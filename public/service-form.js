/* global document */
// Catalogue search assistant of the service form (CSP script-src 'self': no inline scripts).
// Without JavaScript the assistant stays hidden and the form works as plain fields.
(function () {
  'use strict';
  var assist = document.querySelector('[data-catalogue-assist]');
  if (!assist) return;
  assist.hidden = false;
  var results = document.getElementById('katalog-ergebnisse');
  var status = document.getElementById('katalog-status');
  var search = document.getElementById('katalog-suche');

  function announce(text) {
    if (status) status.textContent = text;
  }

  // The search endpoint may not exist (yet) or fail: say so instead of leaving an empty region.
  function unavailable() {
    if (!results) return;
    results.textContent = '';
    var p = document.createElement('p');
    p.className = 'kern-body kern-body--small';
    p.textContent =
      'Die Katalogsuche ist gerade nicht verfügbar. Bitte tragen Sie LeiKa-Schlüssel und OZG-Leistungen von Hand ein.';
    results.appendChild(p);
  }
  document.body.addEventListener('htmx:responseError', function (event) {
    if (event.target === search) unavailable();
  });
  document.body.addEventListener('htmx:sendError', function (event) {
    if (event.target === search) unavailable();
  });
  if (search) {
    // Enter in the search must not submit anything; htmx searches on input already.
    search.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') event.preventDefault();
    });
  }

  function addKey(field, key) {
    if (!field || !key) return false;
    var keys = field.value.split(/[\s,;]+/).filter(Boolean);
    if (keys.indexOf(key) !== -1) return false;
    keys.push(key);
    field.value = keys.join(', ');
    return true;
  }

  // Result buttons of the catalogue search (GET /katalog/suche?auswahl=1) carry data-leika-key,
  // data-ozg-id and the names; a click fills the form's fields.
  function attr(button, names) {
    for (var i = 0; i < names.length; i++) {
      var value = button.getAttribute(names[i]);
      if (value) return value;
    }
    return null;
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest('button[data-leika-key]') : null;
    if (!button || !assist.contains(button)) return;
    event.preventDefault();
    var filled = [];
    if (addKey(document.getElementById('feld-leika'), attr(button, ['data-leika-key'])))
      filled.push('LeiKa-Schlüssel');
    if (addKey(document.getElementById('feld-ozg'), attr(button, ['data-ozg-id'])))
      filled.push('OZG-Leistung');
    var name = document.getElementById('feld-name');
    var newName = attr(button, ['data-ozg-name', 'data-leika-name']);
    if (name && newName && name.value.trim() === '') {
      name.value = newName;
      filled.push('Name');
    }
    announce(filled.length ? filled.join(', ') + ' übernommen.' : 'Schon eingetragen.');
  });
})();
