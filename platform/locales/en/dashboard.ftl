dashboard-title = Home
dashboard-structure-info = Information from your facility
dashboard-documents = My documents
dashboard-documents-new = { $n ->
    [0] No new document.
    [one] { $n } new document.
   *[other] { $n } new documents.
}
dashboard-download = ↓ Download
dashboard-see-documents = ▶ See my documents
dashboard-see-invoices = ▶ See my invoices
dashboard-see-messages = ▶ See my messages
dashboard-invoices = My invoices
dashboard-invoices-none = You have no invoice to pay.
dashboard-invoice-line = { $label }: { $amount }, due by { $due }
dashboard-invoice-label = Invoice { $number }
dashboard-messages = My messages
dashboard-messages-unread = { $n ->
    [0] No unread message.
    [one] { $n } unread message.
   *[other] { $n } unread messages.
}
dashboard-reservations = My bookings
dashboard-today = Bookings for today ({ $day })
dashboard-today-none = No booking today.
dashboard-booking = { $child }: { $prestation }
dashboard-next-deadline = Next deadline: { $prestation } on { $day }, to book { $deadline }.
dashboard-see-reservations = ▶ See my bookings
