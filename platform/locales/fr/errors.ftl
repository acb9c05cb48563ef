# Errors: titles of the error page and messages of pages and of the API.
title-error-tenant-not-found = Portail introuvable
title-error-tenant-suspended = Portail en maintenance
title-error-not-found = Page introuvable
title-error-unavailable = Service momentanément indisponible
title-error-internal = Une erreur est survenue
title-error-form-expired = Formulaire expiré
error-tenant-not-found = Aucun portail famille ne correspond à cette adresse. Vérifiez l'adresse reçue de votre mairie.
error-tenant-suspended = Le portail famille est en maintenance. Vos réservations et vos données sont conservées. Merci de réessayer un peu plus tard.
error-not-found = La page demandée n'existe pas ou n'est plus disponible.
error-unavailable = Le service est momentanément indisponible. Aucune donnée n'a été perdue. Merci de réessayer dans quelques minutes.
error-internal = Une erreur inattendue est survenue. Aucune donnée n'a été perdue. Merci de réessayer.
error-form-expired = Ce formulaire a expiré ou ne vient pas du portail. Revenez à la page précédente, rechargez-la, puis envoyez à nouveau le formulaire.
error-not-authenticated = Vous devez être connecté.
error-method-not-allowed = Cette opération n'accepte pas cette méthode HTTP.
error-unsupported-media-type = Le corps de la requête doit être du JSON (Content-Type: application/json).
error-payload-too-large = La requête est trop volumineuse.
error-bad-request = Requête invalide : { $detail }
error-invalid-fields = Certaines informations ne sont pas valides : corrigez les champs indiqués.
error-forbidden-origin = Cette requête ne vient pas du portail famille.
error-unsupported-locale = Cette langue n'est pas proposée par le portail. Langues possibles : { $locales }.
title-error-not-signed-in = Connexion requise
# Messages of the features' errors and field checks.
field-required = Ce champ est obligatoire.
field-forbidden-chars = Ce champ contient des caractères non autorisés.
field-phone-required = Le numéro de téléphone est obligatoire.
field-phone-invalid = Le numéro de téléphone n'est pas valide (exemple : 06 12 34 56 78).
field-postal-code = Le code postal doit comporter 5 chiffres.
field-email-invalid = L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).
field-birth-future = La date de naissance ne peut pas être dans le futur.
field-date-invalid = La date n'est pas valide (exemple : 07/07/2016).
field-too-long = Ce champ est trop long ({ $max } caractères au plus).
password-too-long = Le mot de passe ne doit pas dépasser 128 caractères.
password-too-weak = Le mot de passe est trop faible : utilisez au moins 12 caractères avec une majuscule, une minuscule, un chiffre et un caractère spécial, ou 14 caractères avec une majuscule, une minuscule et un chiffre, ou une phrase d'au moins 7 mots.
password-contains-email = Le mot de passe ne doit pas contenir votre adresse e-mail.
password-contains-name = Le mot de passe ne doit pas contenir le nom ou le prénom d'un membre de votre foyer.
password-contains-city = Le mot de passe ne doit pas contenir le nom de votre commune.
password-common = Ce mot de passe fait partie des plus courants : choisissez-en un autre.
auth-invalid-credentials = Adresse e-mail ou mot de passe incorrect.
auth-invalid-token = Ce lien n'est plus valable : il a déjà servi, il a expiré (24 heures) ou il est incomplet. Demandez un nouveau lien.
auth-wrong-current-password = Le mot de passe actuel est incorrect.
auth-throttled = Trop de tentatives de connexion. Par sécurité, merci de patienter { $wait } avant de réessayer, ou utilisez « Première connexion ou mot de passe oublié ? ».
duration-seconds = { $n } secondes
duration-minutes = { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
duration-hours = { $n ->
        [one] { $n } heure
       *[other] { $n } heures
    }
refusal-deadline = La date limite pour ce jour est passée.
refusal-full = Il n'y a plus de place ce jour-là.
refusal-closed = Le service est fermé ce jour-là.
refusal-holiday = Pas de service ce jour-là (jour férié ou vacances scolaires).
refusal-school-period = Cette prestation n'a lieu que pendant les vacances scolaires.
refusal-not-running = Cette prestation n'a pas lieu ce jour de la semaine.
refusal-not-enrolled = L'enfant n'est pas inscrit à cette prestation.
refusal-record = Validez d'abord la fiche de l'enfant pour l'année scolaire.
refusal-no-calendar = Le calendrier scolaire de cette date n'est pas encore publié.
refusal-other = Cette réservation n'est pas possible.
book-invalid-date = La date doit exister et s'écrire AAAA-MM-JJ, par exemple 2026-01-19.
book-invalid-week = La semaine doit être une semaine ISO existante, par exemple 2026-W04.
document-unsupported = Ce type de fichier n'est pas accepté : envoyez un document PDF ou une image JPEG ou PNG.
document-not-multipart = Le document s'envoie en multipart/form-data, avec les champs name, description, person et file.
document-malformed = L'envoi a été interrompu ou n'est pas un formulaire valide. Merci de réessayer.
document-too-large = Le fichier est trop volumineux : { $size } au plus.
