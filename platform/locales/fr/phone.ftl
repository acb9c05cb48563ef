# The phone-first pass: header menu, error pages, grid confirmations and undo.
layout-menu = Menu
error-back-home = Retour à l'accueil
error-go-reservations = Aller aux réservations
