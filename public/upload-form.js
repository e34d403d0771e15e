/* global document, setTimeout */
// Upload form: shows the progress note while the file is sent and checked (no inline scripts: CSP).
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload-form]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function () {
      var progress = form.querySelector('[data-upload-progress]');
      if (progress) progress.hidden = false;
      form.setAttribute('aria-busy', 'true');
      var button = form.querySelector('button[type=submit]');
      // Disabled after this tick, so the browser still sends the form.
      if (button)
        setTimeout(function () {
          button.disabled = true;
        }, 0);
    });
  });
})();
