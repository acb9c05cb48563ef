# The phone-first pass: header menu, error pages, grid confirmations and undo.
layout-menu = Menu
error-back-home = Back to the home page
error-go-reservations = Go to bookings
