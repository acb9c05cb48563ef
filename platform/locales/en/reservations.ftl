title-reservations = Bookings
grid-bulk = + Book in bulk
grid-history = History
title-calendar = Add to my calendar
grid-change-week = Change week
grid-previous-week = Previous week
grid-next-week = Next week
grid-notice = Information for you
grid-holidays = School holiday calendar (zone { $zone })
grid-legend = Legend
state-reserved = Booked
state-available = Available for booking
state-unavailable = Not available
state-locked = Locked
grid-caption = Bookings of { $name }, { $week }
grid-prestation = Service
grid-not-enrolled = No bookable service for { $name }.
grid-this-week = This week
title-history = Booking history
history-intro = Every booking and every cancellation made for your children, the most recent first: when, by whom, and from where (the grid, bulk booking or an app).
history-truncated = Only the { $limit } most recent changes are shown.
history-caption = Booking history, from the most recent to the oldest
history-date = Date
history-by = By
history-child = Child
history-prestation = Service
history-day = Day
history-change = Change
history-from = From
history-none = No booking has been made yet.
back-to-grid = Back to bookings
title-bulk = Book in bulk
bulk-step = Step { $step } of 3
bulk-choose-prestation = Choose the service
bulk-nothing = None of your children is enrolled in a bookable service.
bulk-next = Next
bulk-prestation = Service:
bulk-change-prestation = Change service
bulk-choose-children = Choose the children
bulk-children-note = Only the children enrolled in “{ $name }” are offered.
bulk-previous = Previous
bulk-children = Child(ren):
bulk-change-children = Change children
bulk-choose-days = Choose the days and the period
bulk-weekdays = Days of the week
bulk-period = Period
bulk-period-help = { $max } days at most. Days without service (holidays, public holidays, closures) and those whose deadline has passed are not booked: they are listed on the confirmation page.
bulk-from = From
bulk-to = To
bulk-existing = Bookings already made in the period
bulk-add = Add
bulk-add-help = Books the chosen days, without changing any other booking.
bulk-replace = Replace
bulk-replace-help = Books the chosen days and also cancels, in the period, the days already booked on the other days of the week, while they can still be cancelled.
bulk-book = Book
title-bulk-done = Bookings saved
bulk-summary-booked = { $count ->
        [one] { $count } day booked
       *[other] { $count } days booked
    }
bulk-summary-cancelled = { $count } cancelled
bulk-summary-skipped = { $count } not booked
bulk-for = for { $names }
bulk-booked-days = Days booked
bulk-cancelled-days = Days cancelled
bulk-skipped-days = Days not booked
bulk-see-grid = See the booking grid
bulk-again = Make another bulk booking
feed-intro = Subscribe the calendar of your phone or computer to your children's bookings: every booked day appears in it (for example “Repas enfant – Théo”), and the calendar updates itself, usually within a few hours.
feed-renewed = Your new subscription address is ready. The old one no longer works.
feed-ready = Your subscription address is ready.
feed-address = Subscription address (private)
feed-copy = Copy it now: for your safety, it is shown only once. If you lose it, renew it.
feed-subscribe = Subscribe on this device
feed-created = Your subscription address was created on { $date }. For your safety, it is shown only when it is created. If you no longer have it, or to add it to another calendar, renew it: the old address will then stop working in the calendars that use it.
feed-none = You do not have a subscription address yet.
feed-create = Create my subscription address
feed-how = How to subscribe
feed-iphone-title = iPhone or iPad
feed-iphone = Tap “Subscribe on this device”, or: Settings › Calendar › Accounts › Add Account › Other › Add Subscribed Calendar, then paste the address.
feed-android-title = Android (Google Calendar)
feed-android = On a computer, open Google Calendar, then “Other calendars” › “+” › “From URL”, paste the address and confirm. The calendar then appears on your phone (remember to turn on its sync in the app).
feed-outlook-title = Outlook
feed-outlook = Add calendar › Subscribe from web, then paste the address.
feed-private-title = Keep the address private
feed-private = Anyone who knows this address sees your children's booked days, without a password. Share it only with your household's calendars. If in doubt, renew it.
feed-renew = Renew the address
# The grid's cells (built in Rust).
cell-book = Book { $prestation } for { $child } on { $day }
cell-cancel = Cancel { $prestation } for { $child } on { $day }
cell-label = { $prestation } on { $day }: { $state }
cell-book-week = Book { $prestation } for { $child } for the whole week
grid-booked-week = { $count ->
        [0] No day booked
        [one] 1 day booked
       *[other] { $count } days booked
    } for the week: { $prestation }, { $child }.
explain-reserved-until = Booked, can be cancelled until { $until }
explain-reserved-past = Booked, the cancellation deadline has passed
explain-available-until = Available, can be booked until { $until }
explain-locked-deadline = Locked: the deadline ({ $until }) has passed
explain-locked-full = Locked: full
explain-locked-record = Locked: validate the child's record first
explain-not-enrolled = Not available: the child is not enrolled
explain-closed = Not available: closure
explain-holiday = Not available: public holiday or school holiday
explain-school-period = Not available: outside school holidays
explain-no-calendar = Not available: school calendar not published yet
explain-unavailable = Not available
history-action-book = Booking
history-action-cancel = Cancellation
history-action-other = Change
history-source-page = Grid
history-source-bulk = Bulk booking
history-source-api = App
history-source-staff = Town hall
history-source-other = Other
history-deleted-account = Deleted account
bulk-days-skipped = { $n ->
        [one] { $n } day not booked
       *[other] { $n } days not booked
    }
bulk-days-booked = { $n ->
        [one] { $n } day booked
       *[other] { $n } days booked
    }
bulk-days-cancelled = { $n ->
        [one] { $n } day cancelled
       *[other] { $n } days cancelled
    }
bulk-period-text = from { $from } to { $to }
grid-invalid-week = This week does not exist. Choose a week of the calendar, for example the current week.
bulk-api-dates = The dates must exist and be written YYYY-MM-DD, for example 2026-09-01.
bulk-api-weekday = “{ $day }” is not a day of the week (monday … sunday).
bulk-api-mode = The mode must be “add” or “replace”.
grid-rule = { $prestation }: book { $booking }, cancel { $cancel }.
grid-rule-same = { $prestation }: book and cancel { $deadline }.
# The mass wizard's cancel mode, its error pattern and its pre-filled period.
cancel-choose-prestation = Choose at least one service.
title-bulk-cancel = Cancel bookings
title-bulk-cancel-done = Bookings cancelled
bulk-error-intro = The form could not be sent:
bulk-cancel-link = A sick child? Cancel bookings over a period
bulk-book-link = Book a period instead
bulk-cancel-intro = A sick child, an absence: cancel the booked days of a period at once. Each day follows its own cancellation deadline: the days past it stay booked, and the next page lists them.
bulk-cancel-children = Children
bulk-cancel-prestations = Services to cancel
bulk-cancel-period-help = Proposed: from the next day that can still be cancelled to the end of its week. Only the booked days of the period are cancelled.
bulk-cancel-submit = Cancel the bookings
bulk-cancel-summary = { $count ->
        [0] No day cancelled
        [one] 1 day cancelled
       *[other] { $count } days cancelled
    }
bulk-cancel-summary-kept = { $count ->
        [one] 1 day not cancelled
       *[other] { $count } days not cancelled
    }
bulk-cancel-period = Period: { $period }.
bulk-cancel-nothing = No day was booked in this period for these children and services: nothing changed.
bulk-cancel-kept-title = Days not cancelled
bulk-cancel-kept-help = The cancellation deadline of these days has passed: they stay booked.
bulk-days-kept = { $n ->
        [one] { $n } day not cancelled
       *[other] { $n } days not cancelled
    }
bulk-cancel-again = Cancel other bookings
