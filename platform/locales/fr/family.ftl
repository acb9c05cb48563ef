field-edit = Modifier { $label }
field-save = Enregistrer { $label }
field-cancel = Annuler
title-household = Mon foyer
household-consents = Consentements
household-consent-decided = Choix enregistré le { $date }. Vous pouvez le retirer à tout moment.
household-consent-none = Pas encore de choix.
household-consents-save = Enregistrer mes choix
household-common = Le foyer
household-address = Adresse du foyer
insurances = Assurances
insurance-line = { $company }, contrat { $number }, du { $from } au { $to }
insurance-none = Pas d'assurance en cours
criteria = Critères
criteria-count = { $count ->
        [0] Aucun critère
        [one] 1 critère
       *[other] { $count } critères
    }
criteria-since = { $label } (depuis le { $date })
criteria-note = Les critères sont décidés par la mairie. Pour en signaler un, écrivez-lui depuis la messagerie.
quotient = Quotient familial
quotient-label = Quotient familial :
quotient-unknown = non communiqué (le tarif maximum s'applique)
quotient-note = Le quotient familial est saisi par la mairie. Pour le mettre à jour, envoyez votre attestation CAF depuis <a href="/{ $slug }/documents">Mes documents</a>.
title-children = Mes enfants
child-age = { $age } ans
child-validated = Fiche validée
child-not-validated = Fiche non validée
children-none = Aucun enfant n'est enregistré pour votre foyer. Contactez la mairie pour l'inscrire.
child-born = { $age } ans · date de naissance : { $date }
child-validated-on = Fiche validée le { $date }
child-validate = Valider cette fiche
child-validate-note = En validant, vous certifiez que la fiche est à jour pour l'année scolaire { $year }.
child-more = Plus de détails
child-structure = Structure { $name }
child-cursus = Cursus et groupes
child-cursus-year = Cursus { $year } :
child-no-visible-group = L'enfant n'est inscrit dans aucun groupe visible actuellement
child-diets-title = Régimes spéciaux
child-diet = Régime alimentaire : { $diets }
child-prestations = Prestations
child-enrolment = Inscription :
child-no-enrolment = L'enfant n'a aucune inscription pour les prestations de cette année
child-identity = Identité
child-last-name = Nom
child-first-name = Prénom
child-birth-date = Date de naissance
child-birth-city = Lieu de naissance
child-school = École
child-class = Classe
child-diet-legend = Régime alimentaire (seuls les besoins de l'enfant sont enregistrés)
child-medical = Informations médicales
child-doctor = Médecin traitant
child-doctor-phone = Téléphone du médecin
child-allergies = Allergies
child-pai = Projet d'accueil individualisé (PAI)
child-medical-notes = Remarques pour l'équipe
child-contacts = Contacts de sortie et d'urgence
child-contacts-count = Urgence : { $emergency ->
        [one] 1 contact
       *[other] { $emergency } contacts
    }  Sortie : { $pickup ->
        [one] 1 contact
       *[other] { $pickup } contacts
    }
child-doctor-line = Médecin traitant : { $name }
contact-name = Nom
contact-relation = Lien avec l'enfant
contact-phone = Téléphone
contact-phone2 = Autre téléphone
contact-can = Ce contact peut
contact-pickup = venir chercher l'enfant
contact-emergency = être appelé en cas d'urgence
contact-delete = Supprimer { $name }
contact-add-title = Ajouter un contact
contact-add = Ajouter le contact
child-documents = Documents
child-documents-count = { $count ->
        [0] Aucun document
        [one] 1 document
       *[other] { $count } documents
    }
child-authorizations = Autorisations
child-authorizations-count = { $count ->
        [0] Aucune autorisation
        [one] 1 autorisation
       *[other] { $count } autorisations
    }
choice-decided = Choix enregistré le { $date }.
# "Mon foyer", built in Rust: categories, fields (by their key), consents.
household-category-etat-civil = État civil
household-category-coordonnees = Coordonnées
household-category-informations = Informations personnelles
household-category-responsabilites = Responsabilités
household-field-civility = Civilité
household-field-last_name = Nom
household-field-first_name = Prénom
household-field-birth_date = Date de naissance
household-field-email = Adresse e-mail (identifiant)
household-field-phone = Téléphone
household-field-work_phone = Téléphone professionnel
household-field-profession = Profession
household-field-employer = Employeur
household-field-relation = Lien avec les enfants
household-field-parental_authority = Autorité parentale
household-field-address = Adresse
household-field-postal_code = Code postal
household-field-city = Ville
household-not-given = Non renseigné
household-email-note = Seul ce responsable peut changer son adresse e-mail, qui lui sert d'identifiant.
household-saved = Les informations ont été mises à jour
consent-informations_email = Recevoir par e-mail les informations de la mairie (menus, activités, rappels)
consent-rappels_sms = Recevoir par SMS un rappel avant les dates butoirs de réservation
consent-quotient_caf = Autoriser la mairie à consulter mon quotient familial auprès de la CAF
child-validated-info = La fiche est validée pour l'année scolaire. Merci !
child-no-diet = Aucun
child-born-in = à { $city }
option-madame = Madame
option-monsieur = Monsieur
option-mother = Mère
option-father = Père
option-guardian = Tuteur ou tutrice
option-other = Autre
household-email-note-own = Pour changer votre adresse de connexion : « Mon compte », puis « Changer mon adresse e-mail ».
title-refused = Erreur : { $title }
form-error-item = { $label } : { $message }
form-refused = Les informations n'ont pas été enregistrées : corrigez les champs indiqués.
child-edit = Modifier
child-save = Enregistrer
child-pai-answer = PAI : { $answer }
contact-saved = Contact enregistré
contact-added = Contact ajouté
contact-deleted = Contact supprimé
contact-none = Aucun contact pour l'instant.
contact-pickup-yes = Peut venir chercher l'enfant
contact-emergency-yes = À appeler en cas d'urgence
contact-edit-named = Modifier { $name }
contact-save = Enregistrer le contact
contact-delete-confirm = Supprimer { $name } des contacts de l'enfant ?
contact-delete-yes = Oui, supprimer { $name }
contact-delete-no = Non, garder ce contact
child-authorization-none = Pas encore de choix
