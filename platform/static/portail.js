// Portail Famille: small enhancements; every page works without them.
// - [data-password-toggle=ID]: a button that shows or hides the password field ID;
// - [data-password-feedback=ID]: live feedback on a new password, written into element ID
//   (an aria-live region) so screen readers hear it. The server's check remains the rule.
// - [data-rich-editor]: the message textarea becomes a small rich-text editor (bold, italic,
//   underline, undo, redo) whose HTML goes back in the textarea; the server sanitises it.
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
  // The reason is the cell's title (kept up to date by grid.js), said in its child's card.
  document.querySelectorAll('.week-grid .cell-button, .week-grid .cell-static').forEach(function (cell) {
    var card = cell.closest('article');
    var line = card && card.querySelector('.cell-reason');
    if (!line) return;
    var say = function () { line.textContent = cell.getAttribute('title'); };
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
  // The rich-text editor of messages. Without it (or without execCommand) the textarea is
  // sent as plain text; with it, the textarea carries the editor's HTML and `format=html`.
  document.querySelectorAll('[data-rich-editor]').forEach(function (wrap) {
    var area = wrap.querySelector('textarea');
    var format = wrap.querySelector('[data-format]');
    if (!area || !format || typeof document.execCommand !== 'function') return;
    var label = document.querySelector('label[for="' + area.id + '"]');
    var editor = document.createElement('div');
    editor.id = area.id + '-editeur';
    editor.className = 'rich-area';
    editor.contentEditable = 'true';
    editor.setAttribute('role', 'textbox');
    editor.setAttribute('aria-multiline', 'true');
    editor.tabIndex = 0;
    if (label) {
      label.id = label.id || area.id + '-libelle';
      editor.setAttribute('aria-labelledby', label.id);
      label.addEventListener('click', function () { editor.focus(); });
    }
    ['aria-describedby', 'aria-invalid'].forEach(function (name) {
      if (area.hasAttribute(name)) editor.setAttribute(name, area.getAttribute(name));
    });
    // A refused form comes back with the server's sanitised HTML, or with plain text.
    if (format.value === 'html') editor.innerHTML = area.value;
    else editor.innerText = area.value;

    var toolbar = document.createElement('div');
    toolbar.className = 'rich-toolbar';
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', word(wrap, 'toolbar'));
    toolbar.setAttribute('aria-controls', editor.id);
    var toggles = [];
    [['bold', 'B'], ['italic', 'I'], ['underline', 'U'], ['undo', '↶'], ['redo', '↷']].forEach(function (b) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'rich-button rich-' + b[0];
      button.textContent = b[1];
      button.setAttribute('aria-label', word(wrap, b[0]));
      var toggle = b[0] !== 'undo' && b[0] !== 'redo';
      if (toggle) {
        button.setAttribute('aria-pressed', 'false');
        toggles.push([b[0], button]);
      }
      // Keep the selection in the editor: the button does not take the focus on click.
      button.addEventListener('mousedown', function (e) { e.preventDefault(); });
      button.addEventListener('click', function () {
        editor.focus();
        document.execCommand(b[0], false, null);
        sync();
        refresh();
      });
      toolbar.appendChild(button);
    });

    function refresh() {
      toggles.forEach(function (t) {
        var on = false;
        try { on = document.queryCommandState(t[0]); } catch (e) { on = false; }
        t[1].setAttribute('aria-pressed', on ? 'true' : 'false');
      });
    }
    function sync() {
      area.value = editor.innerHTML;
      format.value = 'html';
    }
    editor.addEventListener('input', sync);
    editor.addEventListener('keyup', refresh);
    editor.addEventListener('mouseup', refresh);
    editor.addEventListener('focus', refresh);
    area.required = false;
    area.hidden = true;
    area.removeAttribute('id');
    if (label) label.htmlFor = editor.id;
    wrap.insertBefore(toolbar, area);
    wrap.insertBefore(editor, area);
    var form = wrap.closest('form');
    if (form) form.addEventListener('submit', sync);
  });
})();
