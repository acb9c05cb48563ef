//! Mail: written to the tenant's outbox inside the transaction of the action that causes it
//! (so a mail is sent if and only if the action happened), then delivered by [`sender`].
//! Templates are handlebars, one HTML and one text part per mail, their words from the
//! catalogue (`locales/*/mail.ftl`) in the recipient's language.

pub mod sender;

use handlebars::Handlebars;
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use std::sync::LazyLock;

const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "password_reset",
        include_str!("../../templates/mail/password_reset.html.hbs"),
        include_str!("../../templates/mail/password_reset.txt.hbs"),
    ),
    (
        "family_invitation",
        include_str!("../../templates/mail/family_invitation.html.hbs"),
        include_str!("../../templates/mail/family_invitation.txt.hbs"),
    ),
    (
        "staff_invitation",
        include_str!("../../templates/mail/staff_invitation.html.hbs"),
        include_str!("../../templates/mail/staff_invitation.txt.hbs"),
    ),
    (
        "password_changed",
        include_str!("../../templates/mail/password_changed.html.hbs"),
        include_str!("../../templates/mail/password_changed.txt.hbs"),
    ),
    (
        "email_change_confirm",
        include_str!("../../templates/mail/email_change_confirm.html.hbs"),
        include_str!("../../templates/mail/email_change_confirm.txt.hbs"),
    ),
    (
        "email_change_notice",
        include_str!("../../templates/mail/email_change_notice.html.hbs"),
        include_str!("../../templates/mail/email_change_notice.txt.hbs"),
    ),
    (
        "payment_receipt",
        include_str!("../../templates/mail/payment_receipt.html.hbs"),
        include_str!("../../templates/mail/payment_receipt.txt.hbs"),
    ),
    (
        "message_to_service",
        include_str!("../../templates/mail/message_to_service.html.hbs"),
        include_str!("../../templates/mail/message_to_service.txt.hbs"),
    ),
    (
        "message_reply",
        include_str!("../../templates/mail/message_reply.html.hbs"),
        include_str!("../../templates/mail/message_reply.txt.hbs"),
    ),
];

struct MailTemplates {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
}

static MAIL_TEMPLATES: LazyLock<MailTemplates> = LazyLock::new(|| {
    let mut html = Handlebars::new();
    let mut text = Handlebars::new();
    html.set_strict_mode(true);
    text.set_strict_mode(true);
    // The text part is not HTML: nothing to escape.
    text.register_escape_fn(handlebars::no_escape);
    html.register_helper("t", Box::new(crate::i18n::helper::Translate));
    text.register_helper("t", Box::new(crate::i18n::helper::Translate));
    for (name, h, t) in TEMPLATES {
        html.register_template_string(name, *h)
            .expect("mail template");
        text.register_template_string(name, *t)
            .expect("mail template");
    }
    MailTemplates { html, text }
});

/// A mail ready to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// Renders template `name` with `data`; a rendering error is a programming error.
    /// The language is the current one: callers choose the recipient's (see
    /// [`crate::i18n::for_recipient`]).
    pub fn render(name: &str, to: &str, subject: &str, data: &impl Serialize) -> Self {
        let t = &*MAIL_TEMPLATES;
        let mut data = serde_json::to_value(data).expect("plain data");
        if let serde_json::Value::Object(map) = &mut data {
            map.insert("lang".into(), crate::i18n::current().code().into());
        }
        Mail {
            to: to.to_string(),
            subject: subject.to_string(),
            text: t.text.render(name, &data).expect("mail template renders"),
            html: t.html.render(name, &data).expect("mail template renders"),
        }
    }
}

/// Queues a mail in the tenant's outbox, in the caller's transaction.
pub async fn enqueue(tx: &TenantTx, mail: &Mail) -> Result<(), DbErr> {
    tx.execute_raw(sql(
        "INSERT INTO outbox (to_address, subject, text_body, html_body) VALUES ($1, $2, $3, $4)",
        [
            mail.to.clone().into(),
            mail.subject.clone().into(),
            mail.text.clone().into(),
            mail.html.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}
