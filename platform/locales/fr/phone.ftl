# The phone-first pass: header menu, error pages, grid confirmations and undo.
layout-menu = Menu
error-back-home = Retour à l'accueil
error-go-reservations = Aller aux réservations
grid-week-heading = Semaine { $week } · du { $from } au { $to }
grid-calendar-short = Agenda
grid-booked-day = { $prestation } du { $day } réservé pour { $child }, annulable jusqu'au { $until }.
grid-cancelled-day = { $prestation } du { $day } annulé pour { $child }.
grid-cancelled-week = { $count ->
        [0] Aucun jour annulé
        [one] 1 jour annulé
       *[other] { $count } jours annulés
    } pour la semaine : { $prestation }, { $child }.
grid-undo-booking = Annuler
grid-undo-cancel = Réserver de nouveau
grid-cancel-week = Annuler la semaine
grid-cancel-week-label = Annuler { $prestation } pour { $child } toute la semaine
sign-in-missing = Pour vous connecter, remplissez les champs indiqués.
sign-in-missing-email = Saisissez votre adresse e-mail.
sign-in-missing-password = Saisissez votre mot de passe.
