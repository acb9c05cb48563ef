title-messages = Messagerie
title-new-message = Nouveau message
title-staff-messages = Messagerie des services
nav-messages-unread = { $count ->
    [one] 1 message non lu
   *[other] { $count } messages non lus
}
message-intro-title = Contacter votre structure
message-intro = Vous avez la possibilité de contacter votre structure pour toutes questions complémentaires. Cliquez sur le nom du service que vous désirez joindre.
message-postal = Par voie postale
message-phone = Tél. :
message-fax = Fax :
message-write-to = Écrire à un service
message-no-service = Aucun service n'est joignable par la messagerie pour le moment.
message-conversations = Mes conversations
message-no-conversation = Vous n'avez pas encore de conversation.
message-unread = { $count ->
    [one] 1 non lu
   *[other] { $count } non lus
}
message-closed = close
message-closed-note = Le service a clos cette conversation. Vous pouvez encore y répondre : elle sera rouverte.
message-back = < Retour à la liste des messages
message-service = Service
message-subject = Objet du message
message-body = Votre message
message-body-help = Quelques options de mise en page sont disponibles : gras, italique, souligné.
message-send = ▶ Envoyer
message-reply = Répondre
message-me = Moi
message-sent = Votre message a bien été envoyé.
message-refused = Le message n'a pas été envoyé. Corrigez ce qui suit :
message-subject-required = Indiquez l'objet du message.
message-subject-too-long = L'objet ne peut dépasser { $max } caractères.
message-body-required = Écrivez votre message.
message-body-too-long = Votre message est trop long ({ $max } octets au plus).
message-too-many = Vous avez envoyé { $max } messages en une heure : réessayez un peu plus tard.
message-service-unknown = Ce service n'existe pas.
message-mail-saved = Votre choix pour les avis de réponse a été enregistré.
editor-toolbar = Mise en forme
editor-bold = Gras
editor-italic = Italique
editor-underline = Souligné
editor-undo = Annuler
editor-redo = Rétablir
account-message-mail-title = Messagerie
account-message-mail-label = Recevoir un e-mail quand un service répond à l'un de mes messages
account-message-mail-save = Enregistrer
staff-nav-messages = Messagerie
staff-message-services = Services
staff-message-waiting = { $count ->
    [one] 1 en attente
   *[other] { $count } en attente
}
staff-message-caption = Conversations du { $service } : non lues d'abord
staff-message-subject = Objet
staff-message-family = Famille
staff-message-last = Dernier message
staff-message-status = État
staff-message-new = Nouveau
staff-message-open = À traiter
staff-message-assigned-to = Suivie par { $name }
staff-message-closed-status = Close
staff-message-none = Aucune conversation pour ce service.
staff-message-back = < Retour à la messagerie du { $service }
staff-message-assign = Je m'en occupe
staff-message-close = Clore la conversation
staff-message-reply = Répondre au nom du { $service }
staff-message-replied = Votre réponse a été envoyée à la famille.
staff-message-assigned = La conversation vous est attribuée.
staff-message-closed = La conversation est close.
mail-message-new-subject = Nouveau message de la famille { $family } : { $subject }
mail-message-reply-in-subject = Réponse de la famille { $family } : { $subject }
mail-message-from = { $writer } (famille { $family }) a écrit au service sur le portail famille.
mail-message-subject-label = Objet :
mail-message-no-content = Le message se lit sur le portail, dans la messagerie du service.
mail-message-open-staff = Ouvrir la conversation
mail-message-footer = Portail famille de { $tenant }
mail-message-answer-subject = { $service } vous a répondu
mail-message-answer-body = Le { $service } a répondu à votre message « { $subject } » sur le portail famille de { $tenant }.
mail-message-open = Lire la réponse
mail-message-opt-out = Pour ne plus recevoir ces avis, décochez l'option dans « Mon compte » :
message-attachments = Pièces jointes
message-attachments-label = Pièces jointes (facultatif)
message-attachments-help = PDF, JPEG ou PNG : { $count } fichiers au plus, { $size } au total.
message-attachments-too-many = Un message peut porter { $max } pièces jointes au plus.
staff-read-section-conversation = Messagerie (une conversation avec un service)
staff-read-section-message-attachment = Pièce jointe d'un message
staff-audit-entity-conversation = conversation
staff-audit-entity-message_attachment = pièce jointe d'un message
