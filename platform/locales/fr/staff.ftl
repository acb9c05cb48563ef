# Le back-office des agents de la mairie (/gestion).
staff-role-accueil = Accueil
staff-role-gestionnaire = Gestionnaire
staff-role-regisseur = Régisseur
staff-role-admin = Administrateur
staff-role-invalid = Choisissez un rôle : accueil, gestionnaire, régisseur ou administrateur.
staff-invalid-credentials = Adresse e-mail, mot de passe ou code incorrect.
staff-throttled = Trop de tentatives. Réessayez dans { $seconds } secondes.
staff-invalid-token = Ce lien d'activation n'est plus valable : il a déjà servi ou il a expiré (72 heures).
staff-invalid-code = Ce code n'est pas le bon. Saisissez le code à 6 chiffres affiché maintenant par votre application.
staff-not-signed-in = Vous devez être connecté à l'espace de gestion.
staff-forbidden = Cette action est réservée au rôle « { $role } » et aux rôles supérieurs.
staff-already-exists = Un agent a déjà cette adresse e-mail.
staff-quotient-range = Le quotient familial est un nombre entier entre 0 et { $max }.
staff-quotient-number = Le quotient familial est un nombre entier, sans espace ni virgule.
staff-password-refused = Ce mot de passe ne respecte pas les règles.
staff-nav-home = Accueil gestion
staff-nav-families = Familles
staff-nav-team = Équipe
staff-nav-sign-in = Connexion agent
staff-info-signed-out = Vous êtes déconnecté de l'espace de gestion.
staff-info-invited = L'invitation a été envoyée par e-mail.
staff-info-disabled = Le compte a été désactivé ; ses sessions sont fermées.
staff-info-quotient = Le quotient familial a été enregistré.
title-staff-sign-in = Connexion à l'espace de gestion
title-staff-activation = Activer mon compte agent
title-staff-home = Espace de gestion
title-staff-team = Équipe
title-staff-families = Familles
staff-status-invited = Invité
staff-status-active = Actif
staff-status-disabled = Désactivé
staff-sign-in-intro = Réservé aux agents de la mairie. La connexion demande votre mot de passe et le code de votre application d'authentification.
staff-code-label = Code de vérification
staff-code-help = Le code à 6 chiffres de votre application, ou l'un de vos codes de secours.
staff-activation-step1 = Étape 1 sur 2 : choisissez votre mot de passe.
staff-activation-step2 = Étape 2 sur 2 : ajoutez le compte à votre application d'authentification (par exemple FreeOTP ou Google Authenticator) en scannant le QR code ou en saisissant la clé, puis saisissez le code affiché.
staff-qr-label = QR code à scanner avec votre application d'authentification
staff-qr-caption = Scannez ce QR code avec votre application.
staff-secret-label = Clé à saisir si vous ne pouvez pas scanner :
staff-open-app = Ouvrir dans l'application d'authentification de cet appareil
staff-code-totp-label = Code à 6 chiffres
staff-activation-done = Votre compte est activé.
staff-recovery-title = Vos codes de secours
staff-recovery-intro = Chaque code remplace une seule fois le code de l'application, si vous la perdez. Conservez-les en lieu sûr : ils ne seront plus affichés.
staff-go-sign-in = Se connecter
staff-activation-ask-again = Demandez une nouvelle invitation à l'administrateur de votre mairie.
staff-home-hello = Bonjour { $name }, vous êtes connecté avec le rôle « { $role } ».
staff-team-caption = Les agents de la mairie et leur rôle
staff-col-name = Nom
staff-col-role = Rôle
staff-col-status = État
staff-col-actions = Actions
staff-disable = Désactiver { $name }
staff-invite-title = Inviter un agent
staff-invite = Envoyer l'invitation
staff-search-label = Nom, prénom d'un enfant, e-mail ou téléphone
staff-search = Rechercher
staff-search-results = { $n ->
    [0] Aucune famille trouvée
    [one] 1 famille trouvée
   *[other] { $n } familles trouvées
}
staff-search-none = Vérifiez l'orthographe ou cherchez par le téléphone ou l'e-mail.
staff-family = Famille { $name }
staff-children = Enfants :
staff-guardians = Responsables
staff-children-title = Enfants
staff-signed-up = compte créé
staff-never-signed-in = jamais connecté
staff-quotient-title = Quotient familial
staff-quotient-current = Quotient familial actuel : { $value }
staff-quotient-none = Aucun quotient familial enregistré.
staff-quotient-label = Quotient familial
staff-quotient-from = Valable à partir du
staff-save = Enregistrer
mail-staff-invitation-subject = Votre compte agent du portail famille
mail-staff-invitation-body = Un compte agent du portail famille de { $tenant } a été créé pour vous, avec le rôle « { $role } ».
mail-staff-invitation-button = Activer mon compte
mail-staff-invitation-totp = Le lien est valable 72 heures et ne sert qu'une fois. Vous choisirez votre mot de passe, puis vous ajouterez le compte à une application d'authentification sur votre téléphone.
staff-read-section-medical = Fiche de l'enfant (informations médicales)
staff-read-section-document = Document
account-reads-title = Qui a consulté mes données
account-reads-caption = Les consultations de vos données par les agents de la mairie
account-reads-when = Date
account-reads-who = Agent
account-reads-section = Données consultées
account-reads-none = Aucun agent n'a consulté les informations médicales ou les documents de votre foyer.
staff-record-title = Fiche de { $name }
staff-medical = Informations médicales
staff-doctor = Médecin
staff-allergies = Allergies
staff-pai = PAI
staff-medical-notes = Remarques médicales
staff-diets = Régimes
staff-contacts = Contacts de sortie et d'urgence
staff-validate = Valider la fiche
staff-unvalidate = Retirer la validation
staff-info-validated = La fiche a été validée.
staff-info-unvalidated = La validation de la fiche a été retirée.
staff-open-record = Fiche de { $name }
staff-nav-counts = Effectifs
title-staff-counts = Effectifs du jour
title-staff-attendance = Liste de présence
staff-counts-heading = Effectifs du { $date }
staff-counts-date = Jour
staff-counts-show = Afficher
staff-counts-caption = Enfants inscrits le { $date }, par prestation
staff-counts-prestation = Prestation
staff-counts-booked = Inscrits / places
staff-counts-classes = Par école et classe
staff-counts-list = Liste de présence
staff-counts-open-list = Liste : { $name }
staff-attendance-heading = { $name } – { $date }
staff-attendance-csv = Télécharger la liste (CSV)
staff-attendance-caption = { $n ->
    [one] 1 enfant inscrit
   *[other] { $n } enfants inscrits
}
staff-attendance-present = Présent
staff-csv-last-name = Nom
staff-csv-first-name = Prénom
staff-csv-school = École
staff-csv-class = Classe
staff-home-follow = À suivre
staff-home-awaiting = { $n ->
    [0] Aucune fiche enfant en attente de validation
    [one] 1 fiche enfant en attente de validation
   *[other] { $n } fiches enfant en attente de validation
}
staff-home-never = { $n ->
    [0] Tous les responsables se sont déjà connectés
    [one] 1 responsable ne s'est jamais connecté
   *[other] { $n } responsables ne se sont jamais connectés
}
mail-family-invitation-subject = Votre portail famille de { $tenant }
mail-family-invitation-body = La mairie de { $tenant } vous invite à utiliser son portail famille : réservations, factures, dossier de la famille, depuis votre téléphone ou votre ordinateur.
mail-family-invitation-login = Votre identifiant est votre adresse e-mail : { $email }. Créez votre mot de passe avec le bouton ci-dessous.
mail-family-invitation-validity = Ce lien est valable 7 jours. Passé ce délai, utilisez « Première connexion ou mot de passe oublié ? » sur la page de connexion.
staff-invite-family = Inviter { $name } par e-mail
staff-invite-all = Inviter par e-mail tous les responsables jamais connectés
staff-info-invitations = { $sent ->
    [0] Aucune invitation envoyée
    [one] 1 invitation envoyée
   *[other] { $sent } invitations envoyées
}{ $skipped ->
    [0] .
   *[other] { " " }({ $skipped } non { $skipped ->
        [one] envoyée
       *[other] envoyées
    } : déjà inscrit, sans e-mail ou déjà invité aujourd'hui).
}
