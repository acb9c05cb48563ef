//! "Mon panier" (`/{slug}/panier`): the prepaid days booked and not paid yet, with their
//! prices, the balance spent first, and PAYER: one PayFiP payment for the whole cart.

use super::cart::{self, item_label};
use super::money::euros;
use super::{BillingError, Refusal, pages::allowing_payfip_form};
use crate::auth::pages::see_other;
use crate::http::errors::PageError;
use crate::http::page::{Frame, NoFields, SignedInForm, SignedInPage};
use crate::i18n::t_args;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct CartLine {
    pub label: String,
    pub price: String,
    /// "dans le panier jusqu'à 10h42", or that its payment is being checked.
    pub note: String,
}

/// The model of `panier`.
#[derive(Serialize)]
pub struct CartPage {
    pub lines: Vec<CartLine>,
    pub total: String,
    /// The balance spent on this cart, when there is one.
    pub balance: Option<String>,
    pub to_pay: String,
    /// Where PAYER posts; none when empty or while a payment is being checked.
    pub pay_action: Option<String>,
    pub pending: bool,
    /// The cart was just settled by the balance.
    pub settled: bool,
    /// A refusal of PAYER, in French.
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct CartQuery {
    regle: Option<String>,
}

async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    household: uuid::Uuid,
    settled: bool,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let (error, status) = Refusal::shown(refusal);
    let config = crate::tenancy::config(state, tenant).await?;
    let found = cart::cart(state, tenant, household).await?;
    let paris = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Europe::Paris)
            .format("%H:%M")
            .to_string()
    };
    let lines = found
        .items
        .iter()
        .map(|i| {
            let (label, price) = item_label(&config, i);
            CartLine {
                label,
                price,
                note: if i.pending {
                    crate::i18n::t("cart-item-pending")
                } else {
                    t_args("cart-item-held", &[("until", paris(i.held_until).into())])
                },
            }
        })
        .collect::<Vec<_>>();
    let spent = found.total_cents - found.to_pay_cents;
    let model = CartPage {
        pay_action: (!lines.is_empty() && !found.pending)
            .then(|| format!("/{}/panier/payer", tenant.slug())),
        lines,
        total: euros(found.total_cents),
        balance: (spent > 0).then(|| euros(spent)),
        to_pay: euros(found.to_pay_cents),
        pending: found.pending,
        settled,
        error,
    };
    let response = frame.render_with_status(
        "panier",
        &crate::i18n::t("title-cart"),
        "reservations",
        model,
        status,
    );
    Ok(allowing_payfip_form(state, response))
}

#[handler]
pub async fn page(
    Query(q): Query<CartQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    let settled = q.regle.is_some();
    render(state, tenant, &frame, account.household_id, settled, None).await
}

/// PAYER: the attempt is stored, then the parent goes to PayFiP's page (or, covered by the
/// balance, back to the cart, paid).
#[handler]
pub async fn pay(form: SignedInForm<'_, NoFields>) -> Result<Response, PageError> {
    let (state, tenant, frame, account, _) = form.parts();
    match cart::checkout(state, tenant, &account).await {
        Ok(url) => Ok(see_other(url)),
        Err(
            e @ (BillingError::PayfipUnavailable
            | BillingError::EmptyCart
            | BillingError::CartPending
            | BillingError::PaymentUnavailable),
        ) => {
            let refusal = Some(e.into());
            render(state, tenant, &frame, account.household_id, false, refusal).await
        }
        Err(e) => Err(e.into()),
    }
}
