//! What can go wrong in billing, as people and programs see it.

use crate::http::errors::{FORBIDDEN, Failure, INTERNAL, Problem, UNAUTHORIZED, UNAVAILABLE};
use poem::http::StatusCode;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// The municipality's configuration has no `[billing]` section.
    #[error("billing is not configured")]
    NotConfigured,
    /// Another billing run holds the lock: nothing was issued by this one.
    #[error("a billing run is in progress")]
    RunInProgress,
    #[error("invalid month")]
    InvalidMonth,
    /// Not an invoice of the household (or of the municipality), or none at all.
    #[error("not found")]
    NotFound,
    #[error("invoice already cancelled")]
    AlreadyCancelled,
    /// A payment was recorded: it must be refunded by the régie, not cancelled here.
    #[error("invoice has payments")]
    HasPayments,
    /// The municipality has no `[payfip]` section: no online payment.
    #[error("online payment not configured")]
    PaymentUnavailable,
    /// Paid or cancelled: nothing to pay.
    #[error("nothing to pay")]
    NothingToPay,
    /// PayFiP unreachable, too slow or refusing: nothing was recorded.
    #[error("PayFiP unavailable")]
    PayfipUnavailable,
    /// The cart holds no day.
    #[error("empty cart")]
    EmptyCart,
    /// A payment of the cart's days is being checked at PayFiP.
    #[error("cart payment pending")]
    CartPending,
    #[error("database")]
    Database(#[from] DbErr),
}

impl Problem for BillingError {
    fn status(&self) -> StatusCode {
        match self {
            BillingError::NotConfigured => StatusCode::CONFLICT,
            BillingError::RunInProgress => StatusCode::CONFLICT,
            BillingError::InvalidMonth => StatusCode::UNPROCESSABLE_ENTITY,
            BillingError::NotFound => Failure::NotFound.status(),
            BillingError::AlreadyCancelled | BillingError::HasPayments => StatusCode::CONFLICT,
            BillingError::PaymentUnavailable | BillingError::NothingToPay => StatusCode::CONFLICT,
            BillingError::PayfipUnavailable => StatusCode::BAD_GATEWAY,
            BillingError::EmptyCart | BillingError::CartPending => StatusCode::CONFLICT,
            BillingError::Database(e) => Failure::of(e).status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BillingError::NotConfigured => "billing_not_configured",
            BillingError::RunInProgress => "billing_run_in_progress",
            BillingError::InvalidMonth => "invalid_month",
            BillingError::NotFound => Failure::NotFound.code(),
            BillingError::AlreadyCancelled => "invoice_already_cancelled",
            BillingError::HasPayments => "invoice_has_payments",
            BillingError::PaymentUnavailable => "payment_unavailable",
            BillingError::NothingToPay => "nothing_to_pay",
            BillingError::PayfipUnavailable => "payfip_unavailable",
            BillingError::EmptyCart => "empty_cart",
            BillingError::CartPending => "cart_payment_pending",
            BillingError::Database(e) => Failure::of(e).code(),
        }
    }

    fn message(&self) -> String {
        match self {
            BillingError::NotConfigured => crate::i18n::t("billing-not-configured"),
            BillingError::RunInProgress => crate::i18n::t("billing-run-in-progress"),
            BillingError::InvalidMonth => crate::i18n::t("billing-invalid-month"),
            BillingError::NotFound => Failure::NotFound.message(),
            BillingError::AlreadyCancelled => crate::i18n::t("billing-already-cancelled"),
            BillingError::HasPayments => crate::i18n::t("billing-has-payments"),
            BillingError::PaymentUnavailable => crate::i18n::t("billing-payment-unavailable"),
            BillingError::NothingToPay => crate::i18n::t("billing-nothing-to-pay"),
            BillingError::PayfipUnavailable => crate::i18n::t("billing-payfip-unavailable"),
            BillingError::EmptyCart => crate::i18n::t("cart-empty-error"),
            BillingError::CartPending => crate::i18n::t("cart-pending-error"),
            BillingError::Database(e) => Failure::of(e).message(),
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            UNAUTHORIZED,
            FORBIDDEN,
            (
                404,
                "No invoice of the household has this id (`not_found`): another household's or another municipality's is not found either.",
            ),
            (
                409,
                "No online payment for this municipality (`payment_unavailable`), the invoice is paid or cancelled (`nothing_to_pay`), the cart is empty (`empty_cart`) or its payment is being checked (`cart_payment_pending`).",
            ),
            (
                502,
                "PayFiP is unreachable, too slow or refused the payment (`payfip_unavailable`): nothing was recorded.",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

/// An action of a billing page refused for a reason the person can act on: the page comes
/// back saying it, answered with the refusal's status.
pub struct Refusal {
    pub message: String,
    pub status: u16,
}

impl From<BillingError> for Refusal {
    fn from(e: BillingError) -> Self {
        Refusal {
            message: e.message(),
            status: e.status().as_u16(),
        }
    }
}

impl Refusal {
    /// What a page shows of `refusal` and the status it answers: 200 without one.
    pub fn shown(refusal: Option<Refusal>) -> (Option<String>, u16) {
        refusal.map_or((None, 200), |r| (Some(r.message), r.status))
    }
}

/// What the billing operations of the JSON API answer.
pub(super) type Answer<T> = Result<T, crate::http::errors::ApiError<BillingError>>;
