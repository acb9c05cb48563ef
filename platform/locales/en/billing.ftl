title-invoices = My invoices
billing-card-title = Invoice { $number } · { $period }
billing-amount = Amount
billing-paid = Already paid
billing-issued-on = Issued on
billing-due-on = Due by
billing-lines = Invoice details
billing-download = ↓ Download
billing-download-quoted = invoice { $number } (PDF, new tab)
billing-credit-note-link = Credit note { $number } (PDF)
billing-none = You have no invoice yet.
billing-status-unpaid = To pay
billing-status-partially-paid = Partly paid
billing-status-paid = Paid
billing-status-cancelled = Cancelled
billing-not-configured = Billing is not set up for this municipality.
billing-run-in-progress = A billing run is already in progress: nothing was issued. Try again in a moment.
billing-invalid-month = Give the month as YYYY-MM, for example 2026-11.
billing-already-cancelled = This invoice is already cancelled.
billing-has-payments = This invoice has received a payment: it cannot be cancelled here.
billing-line-booked = { $prestation } — { $child }: { $days ->
        [one] 1 day
       *[other] { $days } days
    } in { $month }
billing-line-late = { $prestation } — { $child }: { $days ->
        [one] 1 cancellation
       *[other] { $days } cancellations
    } after the deadline, billed
billing-line-regularisation-added = Adjustment { $prestation } — { $child }: { $days ->
        [one] 1 day
       *[other] { $days } days
    } booked after billing
billing-line-regularisation-removed = Adjustment { $prestation } — { $child }: { $days ->
        [one] 1 day
       *[other] { $days } days
    } cancelled after billing
billing-pdf-invoice-title = Invoice { $number }
billing-pdf-credit-note-title = Credit note { $number }
billing-pdf-cancels = Cancels invoice { $number }
billing-pdf-household = Household { $reference }
billing-pdf-period = Period: { $period }
billing-pdf-issued = Issued on { $date }
billing-pdf-due = Due by { $date }
billing-pdf-col-label = Description
billing-pdf-col-days = Days
billing-pdf-col-unit = Unit price
billing-pdf-col-amount = Amount
billing-pdf-total = Total
billing-pdf-paid = Already paid
billing-pdf-to-pay = Left to pay
billing-pdf-payfip-title = Pay online
billing-pdf-payfip = On the family portal, or on www.payfip.gouv.fr with these references: municipality id { $numcli }, year { $exer }, reference { $refdet }, amount { $amount }.
staff-nav-billing = Billing
staff-billing-title = Billing
staff-billing-month = Month to bill
staff-billing-month-help = The month's bookings are billed as they stand now; later changes go on the next invoice.
staff-billing-dry-run = Preview without issuing
staff-billing-run = Issue the invoices
staff-billing-dry-heading = { $month }: { $count ->
        [0] no invoice would be issued
        [one] 1 invoice would be issued
       *[other] { $count } invoices would be issued
    }
staff-billing-run-heading = { $month }: { $count ->
        [0] no invoice issued
        [one] 1 invoice issued
       *[other] { $count } invoices issued
    }
staff-billing-skipped = Households already billed for this month: { $count }
staff-billing-latest = Latest invoices and credit notes
staff-billing-number = Number
staff-billing-household = Household
staff-billing-period = Period
staff-billing-issued = Issued on
staff-billing-amount = Amount
staff-billing-status = Status
staff-billing-actions = Actions
staff-billing-credit-note = Credit note
staff-billing-cancel = Cancel with a credit note
staff-billing-cancel-quoted = invoice { $number }
staff-billing-cancelled = Credit note { $number } was issued: the invoice is cancelled.
billing-payment-unavailable = This municipality does not offer online payment: please pay at the cash office.
billing-nothing-to-pay = This invoice is no longer due.
billing-payfip-unavailable = The PayFiP payment service is not answering at the moment. No payment was recorded: please try again in a few minutes.
billing-pay = Pay
billing-pay-quoted = invoice { $number }
billing-pay-notice = You will be notified by e-mail as soon as the payment is recorded.
title-payment-return = Your payment
billing-return-pending = Payment being checked. This page updates as soon as PayFiP has answered us; you will also receive an e-mail.
billing-return-paid = Your payment of invoice { $number } has been recorded.
billing-return-refused = The payment of invoice { $number } was refused: nothing was charged. You may try again.
billing-return-abandoned = The payment of invoice { $number } was abandoned: nothing was charged.
billing-return-expired = The payment of invoice { $number } did not complete in time: nothing was charged.
billing-return-anomaly = The payment of invoice { $number } must be checked by the cash office, which will get back to you.
billing-return-refresh = Refresh
billing-return-back = Back to my invoices
mail-payment-receipt-subject = Your payment has been recorded
mail-payment-receipt-body = Your payment of { $amount } for invoice { $number } was recorded on { $date }. Thank you.
staff-billing-attempts = Online payments (anomalies first)
staff-billing-attempt-created = Created on
staff-billing-attempt-invoice = Invoice
staff-billing-attempt-amount = Amount
staff-billing-attempt-status = Status
staff-billing-attempt-detail = Detail
staff-billing-attempt-pending = Waiting
staff-billing-attempt-paid = Paid
staff-billing-attempt-refused = Refused
staff-billing-attempt-abandoned = Abandoned
staff-billing-attempt-expired = Expired
staff-billing-attempt-anomaly = Anomaly to check
