
// The booking grid, with JavaScript: a cell ([data-cell] form) is booked or cancelled through
// the JSON API (`PUT`/`DELETE /api/v1/children/{id}/reservations/{prestation}/{day}`) and
// changes in place; the confirmation, with its undo button, is written in the child's card's
// status region (role=status, so screen readers announce it). The focus stays on the cell.
// Words come from the page: each row (tbody) has its sentences with %day% (data-t-*), each
// cell its day (data-day). Any answer but a cell or a refusal (session ended,
// server down) falls back to the form's own POST, which works without this script.
(function () {
  'use strict';

  function api(form) {
    var get = function (name) { return form.querySelector('input[name=' + name + ']').value; };
    var base = form.getAttribute('action').replace(/\/reservations$/, '');
    return base + '/api/v1/children/' + encodeURIComponent(get('child')) + '/reservations/' +
      encodeURIComponent(get('prestation')) + '/' + encodeURIComponent(get('date'));
  }

  // A sentence of the cell's row, said of the cell's day.
  function words(form, name) {
    return form.closest('tbody').getAttribute('data-t-' + name).replace('%day%', form.getAttribute('data-day'));
  }

  // The cell as the server now has it: state, symbol, labels; a cell that can no longer
  // change becomes a plain image with its reason.
  function paint(form, cell) {
    var td = form.parentNode;
    var earlier = td.querySelector('.cell-static');
    if (earlier) earlier.remove();
    form.hidden = false;
    var reserved = cell.state === 'reserved';
    td.className = 'cell cell-' + cell.state;
    var button = form.querySelector('button');
    button.title = cell.label;
    if (cell.changeable) {
      form.querySelector('input[name=want]').value = reserved ? 'annuler' : 'reserver';
      button.textContent = reserved ? '✓' : '+';
      button.setAttribute('aria-label', words(form, reserved ? 'cancel' : 'book'));
      return button;
    }
    var still = document.createElement('span');
    still.className = 'cell-static';
    still.setAttribute('role', 'img');
    still.setAttribute('aria-label', words(form, 'static').replace('%state%', cell.label));
    still.title = cell.label;
    still.textContent = reserved ? '✓' : (cell.state === 'locked' ? '🔒' : '–');
    form.hidden = true;
    td.appendChild(still);
    return null;
  }

  // What happened, said in the child's card, with the button that puts it back.
  function confirm(form, region, cell, undoable) {
    var reserved = cell.state === 'reserved';
    var box = document.createElement('div');
    box.className = 'message message-success confirmation';
    var text = document.createElement('p');
    text.textContent = reserved
      ? words(form, 'booked').replace('%until%', cell.until || '')
      : words(form, 'cancelled');
    box.appendChild(text);
    var undo = null;
    if (undoable) {
      undo = document.createElement('button');
      undo.type = 'button';
      undo.className = 'button button-secondary undo';
      undo.textContent = region.getAttribute(reserved ? 'data-t-undo-booking' : 'data-t-undo-cancel');
      undo.addEventListener('click', function () { change(form, !reserved, region, undo); });
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

  // Books (want) or cancels the form's cell; `from` is the button that asked (busy meanwhile).
  function change(form, want, region, from) {
    from.disabled = true;
    from.setAttribute('aria-busy', 'true');
    fetch(api(form), { method: want ? 'PUT' : 'DELETE', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (answer) {
        from.disabled = false;
        from.removeAttribute('aria-busy');
        if (answer.status === 200 && answer.body.state === 'in_cart') {
          // A prepaid day went into the cart: the page itself shows the cart's link and total,
          // so it is loaded again through the form (the day is already held: nothing changes).
          form.submit();
        } else if (answer.status === 200) {
          var button = paint(form, answer.body);
          var undo = confirm(form, region, answer.body, answer.body.changeable);
          // The focus stays on the cell (or goes to the undo when the cell can no longer change).
          var focus = button || undo;
          if (focus) focus.focus();
        } else if (answer.status === 409 || answer.status === 422) {
          refuse(region, answer.body.message);
        } else {
          form.submit();
        }
      })
      .catch(function () { form.submit(); });
  }

  document.querySelectorAll('form[data-cell]').forEach(function (form) {
    var card = form.closest('article');
    var region = card && card.querySelector('.status-region');
    if (!region || typeof fetch !== 'function') return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var want = form.querySelector('input[name=want]').value !== 'annuler';
      change(form, want, region, form.querySelector('button'));
    });
  });
})();
