//! The route table. Service routes (`/healthz`, `/api/…`, `/static/…`) come first; every other
//! path starts with a municipality's slug, resolved by [`TenantResolution`] before routing.

use super::around::Layer;
use super::errors::{Failure, api_error, is_api_path, respond};
use super::hardening::Hardening;
use super::health::{healthz, metrics, readyz};
use super::metrics::RecordMetrics;
use super::origin::origin_checked;
use super::panics::catch_panics;
use super::refusals::RefusalLog;
use super::security_headers::SecurityHeaders;
use super::spec::{Documented, with_allow};
use super::static_files::{script, stylesheet};
use crate::auth::api::{AccountApi, AuthApi};
use crate::auth::{email_pages, oidc_pages, pages as auth_pages};
use crate::billing::{api::InvoicesApi, pages as billing_pages, staff_pages as billing_staff};
use crate::billing::{cart_api::CartApi, cart_pages, staff_api::StaffBillingApi};
use crate::children::{api::ChildrenApi, pages as children_pages};
use crate::dashboard::api::DashboardApi;
use crate::documents::{api::DocumentsApi, pages as documents_pages};
use crate::household::{api::HouseholdApi, pages as household_pages};
use crate::i18n::{LocaleSelection, api::LocaleApi, pages as locale_pages};
use crate::library::api::LibraryApi;
use crate::messaging::{
    api::MessagingApi, files_api::MessageFilesApi, pages as messaging_pages,
    staff_api::StaffMessagingApi, staff_pages as staff_messaging_pages,
};
use crate::portal::{api::PortalApi, pages};
use crate::reservations::{api::ReservationsApi, pages as reservation_pages};
use crate::reservations::{
    feed as reservation_feed, history as reservation_history, wizard as reservation_wizard,
};
use crate::staff::{api::StaffApiService, pages as staff_pages};
use crate::state::AppState;
use crate::tenancy::TenantResolution;
use poem::endpoint::make_sync;
use poem::middleware::AddData;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, get};
use poem_openapi::OpenApiService;
use std::sync::Arc;

type Apis = (
    PortalApi,
    AuthApi,
    AccountApi,
    HouseholdApi,
    ChildrenApi,
    DocumentsApi,
    ReservationsApi,
    LocaleApi,
    StaffApiService,
    InvoicesApi,
    MessagingApi,
    StaffMessagingApi,
    LibraryApi,
    DashboardApi,
    MessageFilesApi,
    (CartApi, StaffBillingApi),
);

pub fn api_service(state: &Arc<AppState>) -> OpenApiService<Documented<Apis>, ()> {
    let apis = Documented((
        PortalApi {
            state: state.clone(),
        },
        AuthApi {
            state: state.clone(),
        },
        AccountApi {
            state: state.clone(),
        },
        HouseholdApi {
            state: state.clone(),
        },
        ChildrenApi {
            state: state.clone(),
        },
        DocumentsApi {
            state: state.clone(),
        },
        ReservationsApi {
            state: state.clone(),
        },
        LocaleApi {
            state: state.clone(),
        },
        StaffApiService {
            state: state.clone(),
        },
        InvoicesApi {
            state: state.clone(),
        },
        MessagingApi {
            state: state.clone(),
        },
        StaffMessagingApi {
            state: state.clone(),
        },
        LibraryApi {
            state: state.clone(),
        },
        DashboardApi {
            state: state.clone(),
        },
        MessageFilesApi {
            state: state.clone(),
        },
        (
            CartApi {
                state: state.clone(),
            },
            StaffBillingApi {
                state: state.clone(),
            },
        ),
    ));
    OpenApiService::new(apis, "Portail Famille", env!("CARGO_PKG_VERSION"))
        .description("API of Portail Famille. Every operation is under `/{slug}/api/v1`, where `{slug}` names the municipality. Errors answer `{\"code\", \"message\"}` with a stable code and a message in the language of `Accept-Language` (French by default).")
        .server(state.settings.public_url.clone())
}

/// The API answers under `/{slug}/api/`, its mutations behind the Origin check; any other
/// unmatched path gets the French 404 page.
fn api_or_not_found(
    api: OpenApiService<Documented<Apis>, ()>,
    state: Arc<AppState>,
) -> impl Endpoint {
    let api = with_allow(
        api.into_endpoint()
            .catch_all_error(|e: poem::Error| async move { api_error(e) }),
    );
    let (public_url, extra_hosts) = (
        state.settings.public_url.clone(),
        state.settings.extra_hosts.clone(),
    );
    origin_checked(api, public_url, extra_hosts).around(|api, req| async move {
        if is_api_path(req.uri().path()) {
            api.call(req).await
        } else {
            Ok(respond(&Failure::NotFound, false, None))
        }
    })
}

/// The back-office pages, under `/{slug}/gestion/`.
fn staff_routes(route: Route) -> Route {
    route
        .at("/:slug/gestion/", get(staff_pages::home::home))
        .at(
            "/:slug/gestion/connexion",
            get(staff_pages::sign_in::login_form).post(staff_pages::sign_in::login),
        )
        .at(
            "/:slug/gestion/deconnexion",
            poem::post(staff_pages::sign_in::logout),
        )
        .at(
            "/:slug/gestion/activation",
            get(staff_pages::activation::activation_form).post(staff_pages::activation::activate),
        )
        .at(
            "/:slug/gestion/activation/confirmer",
            poem::post(staff_pages::activation::confirm),
        )
        .at(
            "/:slug/gestion/equipe",
            get(staff_pages::team::team).post(staff_pages::team::invite),
        )
        .at(
            "/:slug/gestion/equipe/desactiver",
            poem::post(staff_pages::team::disable),
        )
        .at(
            "/:slug/gestion/familles",
            get(staff_pages::families::families_page),
        )
        .at(
            "/:slug/gestion/familles/:id",
            get(staff_pages::families::household_page),
        )
        .at(
            "/:slug/gestion/familles/:id/quotient",
            poem::post(staff_pages::families::set_quotient),
        )
        .at(
            "/:slug/gestion/familles/:id/criteres",
            poem::post(staff_pages::records::add_criterion),
        )
        .at(
            "/:slug/gestion/familles/:id/criteres/retirer",
            poem::post(staff_pages::records::remove_criterion),
        )
        .at(
            "/:slug/gestion/familles/:id/assurances",
            poem::post(staff_pages::records::add_insurance),
        )
        .at(
            "/:slug/gestion/familles/:id/assurances/retirer",
            poem::post(staff_pages::records::remove_insurance),
        )
        .at(
            "/:slug/gestion/familles/:id/journal",
            get(staff_pages::audit::audit_page),
        )
        .at(
            "/:slug/gestion/documents/:id",
            get(staff_pages::families::document),
        )
        .at(
            "/:slug/gestion/textes",
            get(staff_pages::texts::texts_form).post(staff_pages::texts::save_texts),
        )
        .at(
            "/:slug/gestion/enfants/:id",
            get(staff_pages::children::child_page),
        )
        .at(
            "/:slug/gestion/effectifs",
            get(staff_pages::counts::counts_page),
        )
        .at(
            "/:slug/gestion/invitations",
            poem::post(staff_pages::invitations::invite_families),
        )
        .at(
            "/:slug/gestion/effectifs/liste",
            get(staff_pages::counts::attendance_page),
        )
        .at(
            "/:slug/gestion/effectifs/liste.csv",
            get(staff_pages::counts::attendance_csv),
        )
        .at(
            "/:slug/gestion/facturation",
            get(billing_staff::billing_page).post(billing_staff::run_billing),
        )
        .at(
            "/:slug/gestion/facturation/annuler",
            poem::post(billing_staff::cancel_invoice),
        )
        .at(
            "/:slug/gestion/factures/:id/pdf",
            get(billing_staff::invoice_pdf),
        )
        .at(
            "/:slug/gestion/enfants/:id/validation",
            poem::post(staff_pages::children::validate_child),
        )
        .at(
            "/:slug/gestion/messagerie",
            get(staff_messaging_pages::inbox),
        )
        .at(
            "/:slug/gestion/messagerie/:id",
            get(staff_messaging_pages::conversation),
        )
        .at(
            "/:slug/gestion/messagerie/:id/repondre",
            poem::post(staff_messaging_pages::reply),
        )
        .at(
            "/:slug/gestion/messagerie/:id/attribuer",
            poem::post(staff_messaging_pages::assign),
        )
        .at(
            "/:slug/gestion/messagerie/:id/clore",
            poem::post(staff_messaging_pages::close),
        )
        .at(
            "/:slug/gestion/messagerie/:id/pieces-jointes/:file",
            get(staff_messaging_pages::attachment),
        )
        .at(
            "/:slug/gestion/bibliotheque",
            get(staff_pages::library::library_page).post(staff_pages::library::publish),
        )
        .at(
            "/:slug/gestion/bibliotheque/:id/retirer",
            poem::post(staff_pages::library::withdraw),
        )
}

pub fn app(state: Arc<AppState>) -> impl Endpoint {
    let api = api_service(&state);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let not_found =
        || make_sync(|req| respond(&Failure::NotFound, is_api_path(req.uri().path()), None));
    let routes = staff_routes(Route::new())
        .at("/", not_found())
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .at("/static/portail.css", get(stylesheet))
        .at("/static/portail.js", get(script))
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .at("/:slug", get(pages::add_trailing_slash))
        .at("/:slug/", get(pages::home))
        .at("/:slug/accessibilite", get(pages::accessibility))
        .at(
            "/:slug/connexion",
            get(auth_pages::login_form).post(auth_pages::login),
        )
        .at("/:slug/deconnexion", poem::post(auth_pages::logout))
        .at("/:slug/aide-connexion", get(auth_pages::help))
        .at(
            "/:slug/mot-de-passe-oublie",
            get(auth_pages::forgot_form).post(auth_pages::forgot),
        )
        .at(
            "/:slug/nouveau-mot-de-passe",
            get(auth_pages::new_password_form).post(auth_pages::new_password),
        )
        .at(
            "/:slug/nouveau-mot-de-passe/generer",
            poem::post(auth_pages::generate),
        )
        .at(
            "/:slug/mon-compte/mot-de-passe",
            get(auth_pages::change_form).post(auth_pages::change),
        )
        .at("/:slug/mon-compte", get(oidc_pages::account_page))
        .at("/:slug/mon-compte/langue", poem::post(locale_pages::save))
        .at("/:slug/langue/:code", get(locale_pages::switch))
        .at(
            "/:slug/mon-compte/adresse-email",
            get(email_pages::request_form).post(email_pages::request),
        )
        .at(
            "/:slug/mon-compte/adresse-email/confirmer",
            get(email_pages::confirm_form).post(email_pages::confirm),
        )
        .at("/:slug/oidc/connexion", get(oidc_pages::start_sign_in))
        .at("/:slug/oidc/lier", poem::post(oidc_pages::start_link))
        .at("/:slug/oidc/retour", get(oidc_pages::callback))
        .at(
            "/:slug/foyer",
            get(household_pages::page).post(household_pages::save_field),
        )
        .at(
            "/:slug/foyer/consentements",
            poem::post(household_pages::save_consents),
        )
        .at("/:slug/enfants", get(children_pages::list))
        .at(
            "/:slug/enfants/:id",
            get(children_pages::child_page).post(children_pages::save),
        )
        .at(
            "/:slug/enfants/:id/valider",
            poem::post(children_pages::validate),
        )
        .at(
            "/:slug/enfants/:id/contacts",
            poem::post(children_pages::save_contact),
        )
        .at(
            "/:slug/documents",
            get(documents_pages::list).post(documents_pages::upload),
        )
        .at(
            "/:slug/documents/:id/telecharger",
            get(documents_pages::download),
        )
        .at("/:slug/factures", get(billing_pages::list))
        .at("/:slug/factures/:id/pdf", get(billing_pages::pdf))
        .at("/:slug/factures/:id/payer", poem::post(billing_pages::pay))
        .at("/:slug/factures/retour", get(billing_pages::payment_return))
        .at("/:slug/panier", get(cart_pages::page))
        .at("/:slug/panier/payer", poem::post(cart_pages::pay))
        .at(
            "/:slug/payfip/notification",
            poem::post(billing_pages::notification),
        )
        .at("/:slug/messagerie", get(messaging_pages::messagerie))
        .at(
            "/:slug/messagerie/nouveau",
            get(messaging_pages::new_message).post(messaging_pages::send_new),
        )
        .at(
            "/:slug/messagerie/:id",
            get(messaging_pages::conversation).post(messaging_pages::reply),
        )
        .at(
            "/:slug/messagerie/:id/pieces-jointes/:file",
            get(messaging_pages::attachment),
        )
        .at(
            "/:slug/mon-compte/messagerie",
            poem::post(messaging_pages::save_mail_preference),
        )
        .at(
            "/:slug/documents/bibliotheque/:id",
            get(crate::library::pages::open),
        )
        .at(
            "/:slug/reservations",
            get(reservation_pages::week_page).post(reservation_pages::toggle),
        )
        .at(
            "/:slug/reservations/masse",
            get(reservation_wizard::page).post(reservation_wizard::book),
        )
        .at(
            "/:slug/reservations/historique",
            get(reservation_history::page),
        )
        .at(
            "/:slug/calendrier",
            get(reservation_feed::page).post(reservation_feed::renew),
        )
        .at("/:slug/calendrier/:file", get(reservation_feed::ics))
        .nest("/", api_or_not_found(api, state.clone()))
        .with(Layer(RefusalLog {
            state: state.clone(),
        }))
        .with(Layer(LocaleSelection::for_tenant(state.clone())))
        .with(TenantResolution {
            state: state.clone(),
        })
        .with(AddData::new(state.clone()))
        .with(Layer(RecordMetrics {
            metrics: state.metrics.clone(),
        }))
        .with(Layer(Hardening { state }))
        // Outside the hardening: its refusals (foreign host, too large…) speak the visitor's
        // language too.
        .with(Layer(LocaleSelection::anonymous()))
        // poem-openapi reads the session cookie of the API's security scheme from the jar.
        .with(poem::middleware::CookieJarManager::new());
    catch_panics(routes).with(Layer(SecurityHeaders))
}
