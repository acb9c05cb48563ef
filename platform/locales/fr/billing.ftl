title-invoices = Mes factures
billing-card-title = Facture { $number } · { $period }
billing-amount = Montant
billing-paid = Déjà payé
billing-issued-on = Émise le
billing-due-on = À payer avant le
billing-lines = Détail de la facture
billing-download = ↓ Télécharger
billing-download-quoted = la facture { $number } (PDF, nouvel onglet)
billing-credit-note-link = Avoir { $number } (PDF)
billing-none = Vous n'avez pas encore de facture.
billing-status-unpaid = À payer
billing-status-partially-paid = Partiellement payée
billing-status-paid = Payée
billing-status-cancelled = Annulée
billing-not-configured = La facturation n'est pas configurée pour cette commune.
billing-run-in-progress = Une facturation est déjà en cours : rien n'a été émis. Réessayez dans un instant.
billing-invalid-month = Indiquez le mois sous la forme AAAA-MM, par exemple 2026-11.
billing-already-cancelled = Cette facture est déjà annulée.
billing-has-payments = Cette facture a reçu un paiement : elle ne peut pas être annulée ici.
billing-line-booked = { $prestation } — { $child } : { $days ->
        [one] 1 jour
       *[other] { $days } jours
    } en { $month }
billing-line-late = { $prestation } — { $child } : { $days ->
        [one] 1 annulation après la date butoir, facturée
       *[other] { $days } annulations après la date butoir, facturées
    }
billing-line-regularisation-added = Régularisation { $prestation } — { $child } : { $days ->
        [one] 1 jour réservé
       *[other] { $days } jours réservés
    } après la facturation
billing-line-regularisation-removed = Régularisation { $prestation } — { $child } : { $days ->
        [one] 1 jour annulé
       *[other] { $days } jours annulés
    } après la facturation
billing-pdf-invoice-title = Facture { $number }
billing-pdf-credit-note-title = Avoir { $number }
billing-pdf-cancels = Annule la facture { $number }
billing-pdf-household = Foyer { $reference }
billing-pdf-period = Période : { $period }
billing-pdf-issued = Émise le { $date }
billing-pdf-due = À payer avant le { $date }
billing-pdf-col-label = Désignation
billing-pdf-col-days = Jours
billing-pdf-col-unit = Prix unitaire
billing-pdf-col-amount = Montant
billing-pdf-total = Total
billing-pdf-paid = Déjà payé
billing-pdf-to-pay = Reste à payer
billing-pdf-payfip-title = Payer en ligne
billing-pdf-payfip = Sur le portail famille, ou sur www.payfip.gouv.fr avec ces références : identifiant collectivité { $numcli }, exercice { $exer }, référence { $refdet }, montant { $amount }.
staff-nav-billing = Facturation
staff-billing-title = Facturation
staff-billing-month = Mois à facturer
staff-billing-month-help = Les réservations du mois sont facturées telles qu'elles sont maintenant ; ce qui change ensuite va sur la facture suivante.
staff-billing-dry-run = Voir sans émettre
staff-billing-run = Émettre les factures
staff-billing-dry-heading = { $month } : { $count ->
        [0] aucune facture ne serait émise
        [one] 1 facture serait émise
       *[other] { $count } factures seraient émises
    }
staff-billing-run-heading = { $month } : { $count ->
        [0] aucune facture émise
        [one] 1 facture émise
       *[other] { $count } factures émises
    }
staff-billing-skipped = Foyers déjà facturés pour ce mois : { $count }
staff-billing-latest = Dernières factures et avoirs
staff-billing-number = Numéro
staff-billing-household = Foyer
staff-billing-period = Période
staff-billing-issued = Émise le
staff-billing-amount = Montant
staff-billing-status = État
staff-billing-actions = Actions
staff-billing-credit-note = Avoir
staff-billing-cancel = Annuler par un avoir
staff-billing-cancel-quoted = la facture { $number }
staff-billing-cancelled = L'avoir { $number } a été émis : la facture est annulée.
billing-payment-unavailable = Le paiement en ligne n'est pas proposé par cette commune : payez auprès de la régie.
billing-nothing-to-pay = Cette facture n'est plus à payer.
billing-payfip-unavailable = Le service de paiement PayFiP ne répond pas pour le moment. Aucun paiement n'a été enregistré : réessayez dans quelques minutes.
billing-pay = Payer
billing-pay-quoted = la facture { $number }
billing-pay-notice = Une notification vous sera envoyée par e-mail dès que le paiement sera pris en compte.
title-payment-return = Votre paiement
billing-return-pending = Paiement en cours de vérification. Cette page se met à jour dès que PayFiP nous a répondu ; vous recevrez aussi un e-mail.
billing-return-paid = Votre paiement de la facture { $number } a bien été pris en compte.
billing-return-refused = Le paiement de la facture { $number } a été refusé : aucune somme n'a été prélevée. Vous pouvez réessayer.
billing-return-abandoned = Le paiement de la facture { $number } a été abandonné : aucune somme n'a été prélevée.
billing-return-expired = Le paiement de la facture { $number } n'a pas abouti dans le délai : aucune somme n'a été prélevée.
billing-return-anomaly = Le paiement de la facture { $number } doit être vérifié par la régie, qui reviendra vers vous.
billing-return-refresh = Actualiser
billing-return-back = Retour à mes factures
mail-payment-receipt-subject = Votre paiement a bien été pris en compte
mail-payment-receipt-body = Votre paiement de { $amount } pour la facture { $number } a bien été pris en compte le { $date }. Merci.
staff-billing-attempts = Paiements en ligne (anomalies en premier)
staff-billing-attempt-created = Créé le
staff-billing-attempt-invoice = Facture
staff-billing-attempt-amount = Montant
staff-billing-attempt-status = État
staff-billing-attempt-detail = Détail
staff-billing-attempt-pending = En attente
staff-billing-attempt-paid = Payé
staff-billing-attempt-refused = Refusé
staff-billing-attempt-abandoned = Abandonné
staff-billing-attempt-expired = Expiré
staff-billing-attempt-anomaly = Anomalie à vérifier
