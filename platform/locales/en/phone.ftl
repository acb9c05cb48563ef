# The phone-first pass: header menu, error pages, grid confirmations and undo.
layout-menu = Menu
error-back-home = Back to the home page
error-go-reservations = Go to bookings
grid-week-heading = Week { $week } · { $from } to { $to }
grid-calendar-short = Calendar
grid-booked-day = { $prestation } on { $day } booked for { $child }, can be cancelled until { $until }.
grid-cancelled-day = { $prestation } on { $day } cancelled for { $child }.
grid-cancelled-week = { $count ->
        [0] No day cancelled
        [one] 1 day cancelled
       *[other] { $count } days cancelled
    } for the week: { $prestation }, { $child }.
grid-undo-booking = Undo
grid-undo-cancel = Book again
grid-cancel-week = Cancel the week
grid-cancel-week-label = Cancel { $prestation } for { $child } for the whole week
sign-in-missing = To sign in, fill in the fields below.
sign-in-missing-email = Enter your e-mail address.
sign-in-missing-password = Enter your password.
