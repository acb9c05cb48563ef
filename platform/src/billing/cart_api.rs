//! `/{slug}/api/v1/cart`: the household's prepaid cart, and paying it.

use super::cart::{self, Cart};
use super::error::Answer;
use crate::auth::api::SignedInApi;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The prepaid meal cart: prepaid days booked and held until paid.
    Cart,
}

#[derive(Object)]
struct CartItemDto {
    child_id: Uuid,
    /// The prestation's code.
    prestation: String,
    day: NaiveDate,
    /// The household's price of the day.
    price_cents: i32,
    /// When the day leaves the cart unpaid (its place is given back), unless a payment of it
    /// is pending.
    held_until: DateTime<Utc>,
    /// A payment of this day is being checked at PayFiP.
    pending: bool,
}

#[derive(Object)]
struct CartDto {
    /// By day.
    items: Vec<CartItemDto>,
    total_cents: i64,
    /// The household's balance (paid days cancelled in time), spent first.
    balance_cents: i64,
    /// What PayFiP will be asked: the total less the balance spent; 0 needs no PayFiP.
    to_pay_cents: i64,
}

impl From<Cart> for CartDto {
    fn from(c: Cart) -> Self {
        CartDto {
            items: c
                .items
                .into_iter()
                .map(|i| CartItemDto {
                    child_id: i.child_id,
                    prestation: i.prestation_code,
                    day: i.day,
                    price_cents: i.price_cents,
                    held_until: i.held_until,
                    pending: i.pending,
                })
                .collect(),
            total_cents: c.total_cents,
            balance_cents: c.balance_cents,
            to_pay_cents: c.to_pay_cents,
        }
    }
}

#[derive(Object)]
struct CheckoutStart {}

#[derive(Object)]
struct CheckoutRedirect {
    /// PayFiP's payment page for what remains to pay; or, when the balance covers the cart,
    /// the cart page that says it is paid.
    redirect_url: String,
}

pub struct CartApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Cart")]
    impl CartApi {
        /// The household's cart: the prepaid days booked and not paid yet, with their prices,
        /// and the balance spent first. Days whose hold ran out are no longer listed.
        #[op("get", "/:slug/api/v1/cart", "getCart")]
        async fn get(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<CartDto>> {
            let found = cart::cart(&self.state, &tenant, signed.household_id).await?;
            Ok(Json(found.into()))
        }

        /// Pay the cart (body `{}`): one PayFiP payment for every day in it, less the balance.
        /// The attempt is stored before the answer; a live attempt of the cart is reused. Paid,
        /// the days become booked and a paid receipt is issued (see `/invoices`).
        #[op("post", "/:slug/api/v1/cart/checkout", "checkoutCart")]
        async fn checkout(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            _body: Json<CheckoutStart>,
        ) -> Answer<Json<CheckoutRedirect>> {
            let redirect_url = cart::checkout(&self.state, &tenant, &signed).await?;
            Ok(Json(CheckoutRedirect { redirect_url }))
        }
    }
}
