// Portail Famille: small enhancements; every page works without them.
// - [data-password-toggle=ID]: a button that shows or hides the password field ID;
// - [data-password-feedback=ID]: live feedback on a new password, written into element ID
//   (an aria-live region) so screen readers hear it. The server's check remains the rule.
(function () {
  'use strict';

  // Words come from the page (the catalogue, in the page's language): data-t-* attributes.
  function word(element, name) {
    return element.getAttribute('data-t-' + name) || document.body.getAttribute('data-t-' + name) || '';
  }

  document.querySelectorAll('[data-password-toggle]').forEach(function (button) {
    var input = document.getElementById(button.getAttribute('data-password-toggle'));
    if (!input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = word(button, show ? 'hide' : 'show');
      button.setAttribute('aria-pressed', show ? 'true' : 'false');
      button.setAttribute('aria-label', word(button, show ? 'hide-password' : 'show-password'));
    });
    button.setAttribute('aria-label', word(button, 'show-password'));
  });

  // The phone header: the menu folds behind its "Menu" button (wide screens show it always,
  // by CSS). Without this script the menu simply stays open.
  var menuButton = document.querySelector('.menu-button');
  var menu = menuButton && document.getElementById(menuButton.getAttribute('aria-controls'));
  if (menu) {
    menuButton.hidden = false;
    menu.hidden = true;
    menuButton.addEventListener('click', function () {
      var open = menuButton.getAttribute('aria-expanded') !== 'true';
      menuButton.setAttribute('aria-expanded', open ? 'true' : 'false');
      menu.hidden = !open;
    });
  }

  // The booking grid: why a day is as it is, in visible text under the grid, on tap or focus
  // (a tooltip would be clipped by the scrolling grid and needs a mouse).
  document.querySelectorAll('[data-explain]').forEach(function (cell) {
    var line = document.getElementById(cell.getAttribute('data-reason'));
    if (!line) return;
    var say = function () { line.textContent = cell.getAttribute('data-explain'); };
    cell.addEventListener('click', say);
    cell.addEventListener('focus', say);
  });

  // An error summary takes the focus, so the parent (and a screen reader) starts there.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  // Pencils of the family file: open the field's form in place instead of reloading.
  document.querySelectorAll('[data-edit]').forEach(function (pencil) {
    var form = document.getElementById(pencil.getAttribute('data-edit'));
    if (!form) return;
    pencil.addEventListener('click', function (event) {
      event.preventDefault();
      form.hidden = false;
      pencil.hidden = true;
      var input = form.querySelector('input:not([type=hidden]), select');
      if (input) input.focus();
    });
  });

  // Same estimate as the server: length × log2(alphabet), words counted at 11.5 bits.
  function entropy(p) {
    var pool = 0;
    if (/[a-z]/.test(p)) pool += 26;
    if (/[A-Z]/.test(p)) pool += 26;
    if (/[0-9]/.test(p)) pool += 10;
    if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(p)) pool += 33;
    if (/[^\x00-\x7f]/.test(p)) pool += 40;
    var chars = Array.from(p).length;
    var bits = pool ? chars * Math.log2(pool) : 0;
    var words = p.trim().split(/\s+/).filter(Boolean).length;
    if (words >= 2) bits = Math.min(bits, words * 11.5);
    return Math.round(bits);
  }

  function check(p) {
    var length = Array.from(p).length;
    var lower = /\p{Ll}/u.test(p), upper = /\p{Lu}/u.test(p), digit = /[0-9]/.test(p);
    var special = /[^\p{L}\p{N}\s]/u.test(p);
    var words = p.split(/[\s\-_.]+/).filter(function (w) { return (w.match(/\p{L}/gu) || []).length >= 2; }).length;
    var bits = entropy(p);
    var strong = (length >= 12 && lower && upper && digit && special) || (length >= 14 && lower && upper && digit) || words >= 7 || bits >= 80;
    return { length: length, lower: lower, upper: upper, digit: digit, special: special, words: words, bits: bits, ok: strong && length <= 128 };
  }

  document.querySelectorAll('[data-password-feedback]').forEach(function (input) {
    var region = document.getElementById(input.getAttribute('data-password-feedback'));
    if (!region) return;
    var timer;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      // A pause before speaking, so screen readers are not interrupted at every key.
      timer = setTimeout(function () {
        var p = input.value;
        if (!p) { region.textContent = ''; return; }
        var c = check(p);
        var t = function (name) { return word(region, name); };
        var item = function (ok, name) { return '<li class="' + (ok ? 'ok' : 'ko') + '">' + (ok ? '✓ ' : '✗ ') + t(name) + '</li>'; };
        var summary = t(c.length > 1 ? 'summary-many' : 'summary-one').replace('%length%', c.length).replace('%bits%', c.bits);
        region.innerHTML =
          '<p><strong>' + t(c.ok ? 'strong' : 'weak') + '</strong>' + summary + '</p>' +
          '<ul>' + item(c.length >= 12, 'min-12') + item(c.upper, 'upper') + item(c.lower, 'lower') +
          item(c.digit, 'digit') + item(c.special, 'special') + item(c.words >= 7, 'words') +
          (c.length > 128 ? item(false, 'max-128') : '') + '</ul>';
      }, 400);
    });
  });
})();
