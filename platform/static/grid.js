
// The booking grid, with JavaScript: a cell (a [data-cell] button of its row's form) is booked
// or cancelled through the JSON API (`PUT`/`DELETE /api/v1/children/{id}/reservations/
// {prestation}/{day}`) and changes in place; the confirmation, with its undo button, is
// written in the child's card's status region (role=status, so screen readers announce it).
// The focus stays on the cell. Words come from the page: each row (tbody) has its sentences
// with %day% (data-t-*), each cell its day (data-day). Any answer but a cell or a refusal
// (session ended, server down) falls back to the form's own POST, which works without this
// script.
(function () {
  'use strict';

  // The row's form holds the child and the prestation; the button, its action and its day.
  function api(cell) {
    var get = function (name) { return cell.form.querySelector('input[name=' + name + ']').value; };
    var base = cell.form.getAttribute('action').replace(/\/reservations$/, '');
    return base + '/api/v1/children/' + encodeURIComponent(get('child')) + '/reservations/' +
      encodeURIComponent(get('prestation')) + '/' + encodeURIComponent(cell.value);
  }

  // The cell's own POST, as without this script: its form with its action and day.
  function post(cell) {
    var field = document.createElement('input');
    field.type = 'hidden';
    field.name = cell.name;
    field.value = cell.value;
    cell.form.appendChild(field);
    cell.form.submit();
  }

  // A sentence of the cell's row, said of the cell's day.
  function words(cell, name) {
    return cell.closest('tbody').getAttribute('data-t-' + name).replace('%day%', cell.getAttribute('data-day'));
  }

  // The cell as the server now has it: state, symbol, labels; a cell that can no longer
  // change becomes a plain image with its reason.
  function paint(button, cell) {
    var td = button.parentNode;
    var earlier = td.querySelector('.cell-static');
    if (earlier) earlier.remove();
    button.hidden = false;
    var reserved = cell.state === 'reserved';
    td.className = 'cell cell-' + cell.state;
    button.title = cell.label;
    if (cell.changeable) {
      button.name = reserved ? 'annuler' : 'reserver';
      button.textContent = reserved ? '✓' : '+';
      button.setAttribute('aria-label', words(button, reserved ? 'cancel' : 'book'));
      return button;
    }
    var still = document.createElement('span');
    still.className = 'cell-static';
    still.setAttribute('role', 'img');
    still.setAttribute('aria-label', words(button, 'static').replace('%state%', cell.label));
    still.title = cell.label;
    still.textContent = reserved ? '✓' : (cell.state === 'locked' ? '🔒' : '–');
    button.hidden = true;
    td.appendChild(still);
    return null;
  }

  // What happened, said in the child's card, with the button that puts it back.
  function confirm(button, region, cell, undoable) {
    var reserved = cell.state === 'reserved';
    var box = document.createElement('div');
    box.className = 'message message-success confirmation';
    var text = document.createElement('p');
    text.textContent = reserved
      ? words(button, 'booked').replace('%until%', cell.until || '')
      : words(button, 'cancelled');
    box.appendChild(text);
    var undo = null;
    if (undoable) {
      undo = document.createElement('button');
      undo.type = 'button';
      undo.className = 'button button-secondary undo';
      undo.textContent = region.getAttribute(reserved ? 'data-t-undo-booking' : 'data-t-undo-cancel');
      undo.addEventListener('click', function () { change(button, !reserved, region, undo); });
      box.appendChild(undo);
    }
    region.replaceChildren(box);
    return undo;
  }

  function refuse(region, message) {
    var box = document.createElement('div');
    box.className = 'message message-error';
    var text = document.createElement('p');
    text.textContent = message;
    box.appendChild(text);
    region.replaceChildren(box);
  }

  // Books (want) or cancels the cell; `from` is the button that asked (busy meanwhile).
  function change(cell, want, region, from) {
    from.disabled = true;
    from.setAttribute('aria-busy', 'true');
    fetch(api(cell), { method: want ? 'PUT' : 'DELETE', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (answer) {
        from.disabled = false;
        from.removeAttribute('aria-busy');
        if (answer.status === 200 && answer.body.state === 'in_cart') {
          // A prepaid day went into the cart: the page itself shows the cart's link and total,
          // so it is loaded again through the form (the day is already held: nothing changes).
          post(cell);
        } else if (answer.status === 200) {
          var button = paint(cell, answer.body);
          var undo = confirm(cell, region, answer.body, answer.body.changeable);
          // The focus stays on the cell (or goes to the undo when the cell can no longer change).
          var focus = button || undo;
          if (focus) focus.focus();
        } else if (answer.status === 409 || answer.status === 422) {
          refuse(region, answer.body.message);
        } else {
          post(cell);
        }
      })
      .catch(function () { post(cell); });
  }

  document.querySelectorAll('button[data-cell]').forEach(function (cell) {
    var card = cell.closest('article');
    var region = card && card.querySelector('.status-region');
    if (!region || !cell.form || typeof fetch !== 'function') return;
    cell.addEventListener('click', function (event) {
      event.preventDefault();
      change(cell, cell.name !== 'annuler', region, cell);
    });
  });
})();
