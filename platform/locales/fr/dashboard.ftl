dashboard-title = Accueil
dashboard-structure-info = Informations laissées par votre structure
dashboard-documents = Mes documents
dashboard-documents-new = { $n ->
    [0] Aucun nouveau document.
    [one] { $n } nouveau document.
   *[other] { $n } nouveaux documents.
}
dashboard-download = ↓ Télécharger
dashboard-see-documents = ▶ Voir mes documents
dashboard-see-invoices = ▶ Voir mes factures
dashboard-see-messages = ▶ Voir mes messages
dashboard-invoices = Mes factures
dashboard-invoices-none = Vous n'avez aucune facture à régler.
dashboard-invoice-line = { $label } : { $amount }, à régler avant le { $due }
dashboard-invoice-label = Facture { $number }
dashboard-messages = Mes messages
dashboard-messages-unread = { $n ->
    [0] Aucun message non lu.
    [one] { $n } message non lu.
   *[other] { $n } messages non lus.
}
dashboard-reservations = Mes réservations
dashboard-today = Réservations prévues le jour même ({ $day })
dashboard-today-none = Aucune réservation aujourd'hui.
dashboard-booking = { $child } : { $prestation }
dashboard-next-deadline = Prochaine échéance : { $prestation } du { $day }, à réserver { $deadline }.
dashboard-see-reservations = ▶ Voir mes réservations
