title-reservations = Réservations
grid-bulk = + Réserver en masse
grid-history = Historique
title-calendar = Ajouter à mon agenda
grid-change-week = Changer de semaine
grid-previous-week = Semaine précédente
grid-next-week = Semaine suivante
grid-notice = Informations à votre attention
grid-holidays = Calendrier des vacances scolaires (zone { $zone })
grid-legend = Légende
state-reserved = Réservé
state-available = Disponible à la réservation
state-unavailable = Non disponible
state-locked = Bloqué
grid-caption = Réservations de { $name }, { $week }
grid-prestation = Prestation
grid-not-enrolled = Aucune prestation réservable pour { $name }.
grid-this-week = Semaine en cours
title-history = Historique des réservations
history-intro = Chaque réservation et chaque annulation faite pour vos enfants, la plus récente en premier : quand, par qui, et depuis où (la grille, la réservation en masse ou une application).
history-truncated = Seules les { $limit } modifications les plus récentes sont affichées.
history-caption = Historique des réservations, de la plus récente à la plus ancienne
history-date = Date
history-by = Par
history-child = Enfant
history-prestation = Prestation
history-day = Jour
history-change = Modification
history-from = Depuis
history-none = Aucune réservation n'a encore été faite.
back-to-grid = Retour aux réservations
title-bulk = Réserver en masse
bulk-step = Étape { $step } sur 3
bulk-choose-prestation = Choisissez la prestation
bulk-nothing = Aucun de vos enfants n'est inscrit à une prestation réservable.
bulk-next = Suivant
bulk-prestation = Prestation :
bulk-change-prestation = Changer de prestation
bulk-choose-children = Choisissez les enfants
bulk-children-note = Seuls les enfants inscrits à «&nbsp;{ $name }&nbsp;» sont proposés.
bulk-previous = Précédent
bulk-children = Enfants :
bulk-change-children = Changer d'enfants
bulk-choose-days = Choisissez les jours et la période
bulk-weekdays = Jours de la semaine
bulk-period = Période
bulk-period-help = { $max } jours au plus. Les jours sans service (vacances, jours fériés, fermetures) et ceux dont la date limite est passée ne sont pas réservés : ils sont listés sur la page de confirmation.
bulk-from = Du
bulk-to = Au
bulk-existing = Réservations déjà faites sur la période
bulk-add = Ajouter
bulk-add-help = Réserve les jours choisis, sans rien changer aux autres réservations.
bulk-replace = Remplacer
bulk-replace-help = Réserve les jours choisis et annule aussi, sur la période, les jours déjà réservés les autres jours de la semaine, quand il est encore temps de les annuler.
bulk-book = Réserver
title-bulk-done = Réservations enregistrées
bulk-summary-booked = { $count ->
        [one] { $count } jour réservé
       *[other] { $count } jours réservés
    }
bulk-summary-cancelled = { $count ->
        [one] { $count } annulé
       *[other] { $count } annulés
    }
bulk-summary-skipped = { $count ->
        [one] { $count } non réservé
       *[other] { $count } non réservés
    }
bulk-for = pour { $names }
bulk-booked-days = Jours réservés
bulk-cancelled-days = Jours annulés
bulk-skipped-days = Jours non réservés
bulk-see-grid = Voir la grille des réservations
bulk-again = Faire une autre réservation en masse
feed-intro = Abonnez l'agenda de votre téléphone ou de votre ordinateur aux réservations de vos enfants : chaque jour réservé y apparaît (par exemple «&nbsp;Repas enfant – Théo&nbsp;»), et l'agenda se met à jour tout seul, en général en quelques heures.
feed-renewed = Votre nouvelle adresse d'abonnement est prête. L'ancienne ne fonctionne plus.
feed-ready = Votre adresse d'abonnement est prête.
feed-address = Adresse d'abonnement (privée)
feed-copy = Copiez-la maintenant : pour votre sécurité, elle n'est affichée qu'une fois. Si vous la perdez, renouvelez-la.
feed-subscribe = S'abonner sur cet appareil
feed-created = Votre adresse d'abonnement a été créée le { $date }. Pour votre sécurité, elle n'est affichée qu'au moment où elle est créée. Si vous ne l'avez plus, ou pour l'ajouter à un autre agenda, renouvelez-la : l'ancienne adresse cessera alors de fonctionner dans les agendas qui l'utilisent.
feed-none = Vous n'avez pas encore d'adresse d'abonnement.
feed-create = Créer mon adresse d'abonnement
feed-how = Comment s'abonner
feed-iphone-title = iPhone ou iPad
feed-iphone = Touchez «&nbsp;S'abonner sur cet appareil&nbsp;», ou bien : Réglages › Calendrier › Comptes › Ajouter un compte › Autre › Ajouter un calendrier avec abonnement, puis collez l'adresse.
feed-android-title = Android (Google Agenda)
feed-android = Sur un ordinateur, ouvrez Google Agenda, puis «&nbsp;Autres agendas&nbsp;» › «&nbsp;+&nbsp;» › «&nbsp;À partir de l'URL&nbsp;», collez l'adresse et validez. L'agenda apparaît ensuite sur votre téléphone (pensez à activer sa synchronisation dans l'application).
feed-outlook-title = Outlook
feed-outlook = Ajouter un calendrier › S'abonner à partir du web, puis collez l'adresse.
feed-private-title = Garder l'adresse privée
feed-private = Toute personne qui connaît cette adresse voit les jours réservés de vos enfants, sans mot de passe. Ne la partagez qu'avec les agendas de votre foyer. En cas de doute, renouvelez-la.
feed-renew = Renouveler l'adresse
# The grid's cells (built in Rust).
cell-book = Réserver { $prestation } pour { $child } le { $day }
cell-cancel = Annuler { $prestation } pour { $child } le { $day }
cell-label = { $prestation } le { $day } : { $state }
cell-book-week = Réserver { $prestation } pour { $child } toute la semaine
grid-booked-week = { $count ->
        [0] Aucun jour réservé
        [one] 1 jour réservé
       *[other] { $count } jours réservés
    } pour la semaine : { $prestation }, { $child }.
explain-reserved-until = Réservé, annulable jusqu'au { $until }
explain-reserved-past = Réservé, la date limite d'annulation est passée
explain-available-until = Disponible, réservable jusqu'au { $until }
explain-locked-deadline = Bloqué : la date limite ({ $until }) est passée
explain-locked-full = Bloqué : complet
explain-locked-record = Bloqué : validez d'abord la fiche de l'enfant
explain-not-enrolled = Non disponible : l'enfant n'est pas inscrit
explain-closed = Non disponible : fermeture
explain-holiday = Non disponible : jour férié ou vacances
explain-school-period = Non disponible : hors vacances scolaires
explain-no-calendar = Non disponible : calendrier scolaire pas encore publié
explain-unavailable = Non disponible
history-action-book = Réservation
history-action-cancel = Annulation
history-action-other = Modification
history-source-page = Grille
history-source-bulk = Réservation en masse
history-source-api = Application
history-source-staff = Mairie
history-source-other = Autre
history-deleted-account = Compte supprimé
bulk-days-skipped = { $n ->
        [one] { $n } jour non réservé
       *[other] { $n } jours non réservés
    }
bulk-days-booked = { $n ->
        [one] { $n } jour réservé
       *[other] { $n } jours réservés
    }
bulk-days-cancelled = { $n ->
        [one] { $n } jour annulé
       *[other] { $n } jours annulés
    }
bulk-period-text = du { $from } au { $to }
grid-invalid-week = Cette semaine n'existe pas. Choisissez une semaine du calendrier, par exemple la semaine en cours.
bulk-api-dates = Les dates doivent exister et s'écrire AAAA-MM-JJ, par exemple 2026-09-01.
bulk-api-weekday = « { $day } » n'est pas un jour de la semaine (monday … sunday).
bulk-api-mode = Le mode doit être « add » (ajouter) ou « replace » (remplacer).
grid-rule = { $prestation } : réservation { $booking }, annulation { $cancel }.
grid-rule-same = { $prestation } : réservation et annulation { $deadline }.
# The mass wizard's cancel mode, its error pattern and its pre-filled period.
cancel-choose-prestation = Choisissez au moins une prestation.
title-bulk-cancel = Annuler des réservations
title-bulk-cancel-done = Réservations annulées
bulk-error-intro = Le formulaire n'a pas pu être envoyé :
bulk-cancel-link = Un enfant malade ? Annuler des réservations sur une période
bulk-book-link = Réserver plutôt une période
bulk-cancel-intro = Un enfant malade, une absence : annulez en une fois les jours réservés d'une période. Chaque jour suit sa date limite d'annulation : ceux dont la date limite est passée restent réservés, et la page suivante les liste.
bulk-cancel-children = Enfants concernés
bulk-cancel-prestations = Prestations à annuler
bulk-cancel-period-help = Proposée : du prochain jour encore annulable à la fin de sa semaine. Seuls les jours réservés de la période sont annulés.
bulk-cancel-submit = Annuler les réservations
bulk-cancel-summary = { $count ->
        [0] Aucun jour annulé
        [one] 1 jour annulé
       *[other] { $count } jours annulés
    }
bulk-cancel-summary-kept = { $count ->
        [one] 1 jour non annulé
       *[other] { $count } jours non annulés
    }
bulk-cancel-period = Période : { $period }.
bulk-cancel-nothing = Aucun jour n'était réservé sur cette période pour ces enfants et ces prestations : rien n'a changé.
bulk-cancel-kept-title = Jours non annulés
bulk-cancel-kept-help = La date limite d'annulation de ces jours est passée : ils restent réservés.
bulk-days-kept = { $n ->
        [one] { $n } jour non annulé
       *[other] { $n } jours non annulés
    }
bulk-cancel-again = Annuler d'autres réservations
