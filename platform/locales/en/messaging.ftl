title-messages = Messages
title-new-message = New message
title-staff-messages = Services' messages
nav-messages-unread = { $count ->
    [one] 1 unread message
   *[other] { $count } unread messages
}
message-intro-title = Contact your municipality
message-intro = You can contact your municipality with any further question. Click on the name of the service you wish to reach.
message-postal = By post
message-phone = Phone:
message-fax = Fax:
message-write-to = Write to a service
message-no-service = No service can be reached through messages for now.
message-conversations = My conversations
message-no-conversation = You have no conversation yet.
message-unread = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
message-closed = closed
message-closed-note = The service closed this conversation. You can still reply: it will be opened again.
message-back = < Back to the list of messages
message-service = Service
message-subject = Subject of the message
message-body = Your message
message-body-help = A few layout options are available: bold, italic, underline.
message-send = ▶ Send
message-reply = Reply
message-me = Me
message-sent = Your message has been sent.
message-refused = The message was not sent. Please correct the following:
message-subject-required = Enter the subject of the message.
message-subject-too-long = The subject cannot be longer than { $max } characters.
message-body-required = Write your message.
message-body-too-long = Your message is too long ({ $max } bytes at most).
message-too-many = You sent { $max } messages within an hour: please try again a little later.
message-service-unknown = This service does not exist.
message-mail-saved = Your choice about reply notices has been saved.
editor-toolbar = Formatting
editor-bold = Bold
editor-italic = Italic
editor-underline = Underline
editor-undo = Undo
editor-redo = Redo
account-message-mail-title = Messages
account-message-mail-label = Receive an e-mail when a service answers one of my messages
account-message-mail-save = Save
staff-nav-messages = Messages
staff-message-services = Services
staff-message-waiting = { $count ->
    [one] 1 waiting
   *[other] { $count } waiting
}
staff-message-caption = Conversations of { $service }: unread first
staff-message-subject = Subject
staff-message-family = Family
staff-message-last = Last message
staff-message-status = Status
staff-message-new = New
staff-message-open = To do
staff-message-assigned-to = Followed by { $name }
staff-message-closed-status = Closed
staff-message-none = No conversation for this service.
staff-message-back = < Back to the messages of { $service }
staff-message-assign = I take it
staff-message-close = Close the conversation
staff-message-reply = Reply on behalf of { $service }
staff-message-replied = Your reply has been sent to the family.
staff-message-assigned = The conversation is assigned to you.
staff-message-closed = The conversation is closed.
mail-message-new-subject = New message from the { $family } family: { $subject }
mail-message-reply-in-subject = Reply from the { $family } family: { $subject }
mail-message-from = { $writer } ({ $family } family) wrote to the service on the family portal.
mail-message-subject-label = Subject:
mail-message-no-content = The message is to be read on the portal, in the service's messages.
mail-message-open-staff = Open the conversation
mail-message-footer = Family portal of { $tenant }
mail-message-answer-subject = { $service } answered you
mail-message-answer-body = { $service } answered your message "{ $subject }" on the family portal of { $tenant }.
mail-message-open = Read the answer
mail-message-opt-out = To stop these notices, untick the option in "My account":
message-attachments = Attachments
message-attachments-label = Attachments (optional)
message-attachments-help = PDF, JPEG or PNG: { $count } files at most, { $size } in all.
message-attachments-too-many = A message can carry { $max } attachments at most.
staff-read-section-conversation = Messaging (a conversation with a service)
staff-read-section-message-attachment = Attachment of a message
staff-audit-entity-conversation = conversation
staff-audit-entity-message_attachment = attachment of a message
