//! The back-office pages under `/{slug}/gestion/`: sign-in and activation (no session),
//! then the home, the team (admin) and the families. Every page has a typed model.

use super::accounts::Member;
use super::auth::{self, STAFF_COOKIE, StaffSigned, clear_staff_cookie, staff_cookie};
use super::counts::{self, Attendance, PrestationCount};
use super::families::{self, HouseholdDetail, HouseholdSummary, QuotientChange};
use super::guard::{StaffForm, StaffFrame, StaffPage};
use super::invitations;
use super::records::{self, ChildRecord};
use super::{Accueil, Admin, Gestionnaire, Role, StaffError, totp};
use crate::auth::csrf;
use crate::auth::pages::{see_other, with_cookie};
use crate::auth::session::{client_address, read_cookie};
use crate::http::errors::{PageError, Problem};
use crate::http::page::{NoFields, PathId, csrf_refused, parse_id};
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Messages a redirect may ask a page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    Some(t(match key {
        "deconnecte" => "staff-info-signed-out",
        "session-expiree" => "info-session-expired",
        "invite" => "staff-info-invited",
        "desactive" => "staff-info-disabled",
        "quotient" => "staff-info-quotient",
        "validee" => "staff-info-validated",
        "devalidee" => "staff-info-unvalidated",
        _ => return None,
    }))
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
    sent: Option<u32>,
    skipped: Option<u32>,
}

impl InfoQuery {
    /// The message a redirect asked for; invitations say how many were sent.
    fn message(&self) -> Option<String> {
        match (self.info.as_deref(), self.sent, self.skipped) {
            (Some("invitations"), Some(sent), Some(skipped)) => Some(crate::i18n::t_args(
                "staff-info-invitations",
                &[("sent", sent.into()), ("skipped", skipped.into())],
            )),
            (info, _, _) => info.and_then(info_message),
        }
    }
}

// ---- Sign-in ----

#[derive(Serialize, Default)]
pub struct SignInPage {
    pub email: String,
    pub info: Option<String>,
    pub error: Option<String>,
}

#[handler]
pub async fn login_form(
    Query(query): Query<InfoQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = StaffFrame::load(req).await?;
    if frame.member.is_some() {
        return Ok(see_other(format!("/{}/gestion/", frame.slug)));
    }
    let page = SignInPage {
        info: query.info.as_deref().and_then(info_message),
        ..Default::default()
    };
    Ok(frame.render(
        "staff_connexion",
        &t("title-staff-sign-in"),
        "connexion",
        &page,
        200,
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    email: Option<String>,
    password: Option<String>,
    code: Option<String>,
}

#[handler]
pub async fn login(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<LoginForm>,
    req: &Request,
) -> Result<Response, PageError> {
    if !csrf::valid(req, form.csrf.as_deref()) {
        return Err(csrf_refused());
    }
    let email = form.email.unwrap_or_default();
    let previous = read_cookie(req, STAFF_COOKIE);
    match auth::sign_in(
        state,
        tenant,
        &email,
        &form.password.unwrap_or_default(),
        &form.code.unwrap_or_default(),
        &client_address(req),
        previous.as_deref(),
    )
    .await
    {
        Ok(signed) => Ok(with_cookie(
            see_other(format!("/{}/gestion/", tenant.slug())),
            staff_cookie(state, tenant.slug(), &signed.session_id),
        )),
        Err(e @ (StaffError::InvalidCredentials | StaffError::Throttled(_))) => {
            let frame = StaffFrame::load(req).await?;
            let page = SignInPage {
                email,
                info: None,
                error: Some(e.message()),
            };
            let mut response = frame.render(
                "staff_connexion",
                &t("title-staff-sign-in"),
                "connexion",
                &page,
                e.status().as_u16(),
            );
            if let StaffError::Throttled(wait) = e {
                response.headers_mut().insert("retry-after", wait.into());
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn logout(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Accueil, NoFields>,
) -> Result<Response, PageError> {
    auth::sign_out(state, tenant, &page.member.session_id).await?;
    Ok(with_cookie(
        see_other(format!(
            "/{}/gestion/connexion?info=deconnecte",
            tenant.slug()
        )),
        clear_staff_cookie(state, tenant.slug()),
    ))
}

// ---- Activation ----

#[derive(Serialize, Default)]
pub struct ActivationPage {
    /// `password`, `enrol`, `codes` or `invalid`: the step shown.
    pub step: &'static str,
    pub token: String,
    pub error: Option<String>,
    pub reasons: Vec<String>,
    pub secret: String,
    pub uri: String,
    /// The QR code, an SVG made here from the URI.
    pub qr_svg: String,
    pub recovery_codes: Vec<String>,
}

impl ActivationPage {
    fn password(token: &str) -> Self {
        ActivationPage {
            step: "password",
            token: token.into(),
            ..Default::default()
        }
    }

    fn enrol(token: &str, enrolment: auth::Enrolment) -> Self {
        ActivationPage {
            step: "enrol",
            token: token.into(),
            qr_svg: totp::qr_svg(&enrolment.uri),
            secret: enrolment.secret,
            uri: enrolment.uri,
            ..Default::default()
        }
    }
}

fn activation(frame: &StaffFrame, page: &ActivationPage, status: u16) -> Response {
    frame.render(
        "staff_activation",
        &t("title-staff-activation"),
        "",
        page,
        status,
    )
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[handler]
pub async fn activation_form(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<TokenQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = StaffFrame::load(req).await?;
    let token = query.token.unwrap_or_default();
    if !auth::token_is_live(state, tenant, &token).await? {
        let page = ActivationPage {
            step: "invalid",
            error: Some(StaffError::InvalidToken.message()),
            ..Default::default()
        };
        return Ok(activation(&frame, &page, 400));
    }
    // A password already chosen: go on with the enrolment.
    let page = match auth::pending_enrolment(state, tenant, &token).await? {
        Some(enrolment) => ActivationPage::enrol(&token, enrolment),
        None => ActivationPage::password(&token),
    };
    Ok(activation(&frame, &page, 200))
}

#[derive(Deserialize)]
pub struct ActivateForm {
    csrf: Option<String>,
    token: Option<String>,
    password: Option<String>,
}

#[handler]
pub async fn activate(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<ActivateForm>,
    req: &Request,
) -> Result<Response, PageError> {
    if !csrf::valid(req, form.csrf.as_deref()) {
        return Err(csrf_refused());
    }
    let frame = StaffFrame::load(req).await?;
    let token = form.token.unwrap_or_default();
    match auth::activate(state, tenant, &token, &form.password.unwrap_or_default()).await {
        Ok(enrolment) => Ok(activation(
            &frame,
            &ActivationPage::enrol(&token, enrolment),
            200,
        )),
        Err(StaffError::PasswordRefused(refusals)) => {
            let mut page = ActivationPage::password(&token);
            page.error = Some(t("staff-password-refused"));
            page.reasons = refusals.iter().map(|r| r.message()).collect();
            Ok(activation(&frame, &page, 422))
        }
        Err(e @ StaffError::InvalidToken) => {
            let page = ActivationPage {
                step: "invalid",
                error: Some(e.message()),
                ..Default::default()
            };
            Ok(activation(&frame, &page, 400))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: Option<String>,
    token: Option<String>,
    code: Option<String>,
}

#[handler]
pub async fn confirm(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<ConfirmForm>,
    req: &Request,
) -> Result<Response, PageError> {
    if !csrf::valid(req, form.csrf.as_deref()) {
        return Err(csrf_refused());
    }
    let frame = StaffFrame::load(req).await?;
    let token = form.token.unwrap_or_default();
    let code = form.code.unwrap_or_default();
    match auth::confirm(state, tenant, &token, &code, &client_address(req)).await {
        Ok(codes) => {
            let page = ActivationPage {
                step: "codes",
                recovery_codes: codes,
                ..Default::default()
            };
            Ok(activation(&frame, &page, 200))
        }
        Err(e @ (StaffError::InvalidCode | StaffError::Throttled(_))) => {
            let Some(enrolment) = auth::pending_enrolment(state, tenant, &token).await? else {
                return Err(StaffError::InvalidToken.into());
            };
            let mut page = ActivationPage::enrol(&token, enrolment);
            page.error = Some(e.message());
            Ok(activation(&frame, &page, e.status().as_u16()))
        }
        Err(e @ StaffError::InvalidToken) => {
            let page = ActivationPage {
                step: "invalid",
                error: Some(e.message()),
                ..Default::default()
            };
            Ok(activation(&frame, &page, 400))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Home ----

#[derive(Serialize)]
pub struct HomePage {
    pub name: String,
    pub role: String,
    pub is_admin: bool,
    pub summary: families::Summary,
    /// Today's counts, for `gestionnaire` and above.
    pub counts: Option<CountsPage>,
}

fn home_model(
    member: &StaffSigned,
    summary: families::Summary,
    counts: Option<CountsPage>,
) -> HomePage {
    HomePage {
        name: member.name.clone(),
        role: member.role.label(),
        is_admin: member.role.allows(Role::Admin),
        summary,
        counts,
    }
}

#[handler]
pub async fn home(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let summary = families::summary(state, tenant).await?;
    let counts = if page.member.role.allows(Role::Gestionnaire) {
        let today = day_of(state, None);
        Some(counts_model(
            today,
            counts::counts(state, tenant, today).await?,
        ))
    } else {
        None
    };
    Ok(page.frame.render(
        "staff_accueil",
        &t("title-staff-home"),
        "accueil",
        &home_model(&page.member, summary, counts),
        200,
    ))
}

// ---- Team (admin) ----

#[derive(Serialize)]
pub struct RoleOption {
    pub code: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Serialize, Default)]
pub struct TeamPage {
    pub members: Vec<MemberLine>,
    pub roles: Vec<RoleOption>,
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub email: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct MemberLine {
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub can_disable: bool,
}

fn team_model(members: Vec<Member>, me: &StaffSigned, selected: &str) -> TeamPage {
    TeamPage {
        members: members
            .into_iter()
            .map(|m| MemberLine {
                can_disable: m.status != "disabled" && m.id != me.id,
                role: Role::parse(&m.role).map(Role::label).unwrap_or_default(),
                status: t(&format!("staff-status-{}", m.status)),
                email: m.email,
                name: m.name,
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .map(|r| RoleOption {
                code: r.code(),
                label: r.label(),
                selected: r.code() == selected,
            })
            .collect(),
        ..Default::default()
    }
}

#[handler]
pub async fn team(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Admin>,
) -> Result<Response, PageError> {
    let members = auth::members(state, tenant).await?;
    let mut model = team_model(members, &page.member, "accueil");
    model.info = query.info.as_deref().and_then(info_message);
    Ok(page.frame.render(
        "staff_equipe",
        &t("title-staff-team"),
        "equipe",
        &model,
        200,
    ))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
}

#[handler]
pub async fn invite(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Admin, InviteForm>,
) -> Result<Response, PageError> {
    let (email, name, role) = (
        page.form.email.clone().unwrap_or_default(),
        page.form.name.clone().unwrap_or_default(),
        page.form.role.clone().unwrap_or_default(),
    );
    match auth::invite(state, tenant, &page.member, &email, &name, &role).await {
        Ok(_) => Ok(see_other(format!(
            "/{}/gestion/equipe?info=invite",
            tenant.slug()
        ))),
        Err(e @ (StaffError::Invalid(_) | StaffError::AlreadyExists)) => {
            let members = auth::members(state, tenant).await?;
            let mut model = team_model(members, &page.member, &role);
            model.error = Some(e.message());
            if let StaffError::Invalid(errors) = &e {
                model.errors = errors.0.clone();
            }
            model.email = email;
            model.name = name;
            Ok(page.frame.render(
                "staff_equipe",
                &t("title-staff-team"),
                "equipe",
                &model,
                e.status().as_u16(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    email: Option<String>,
}

#[handler]
pub async fn disable(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Admin, DisableForm>,
) -> Result<Response, PageError> {
    let email = page.form.email.clone().unwrap_or_default();
    auth::disable(state, tenant, &page.member, &email).await?;
    Ok(see_other(format!(
        "/{}/gestion/equipe?info=desactive",
        tenant.slug()
    )))
}

// ---- Families ----

#[derive(Serialize)]
pub struct SearchPage {
    pub info: Option<String>,
    pub can_invite: bool,
    pub q: String,
    pub searched: bool,
    pub households: Vec<HouseholdSummary>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

#[handler]
pub async fn families_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<SearchQuery>,
    Query(info): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let q: String = query
        .q
        .unwrap_or_default()
        .chars()
        .take(families::MAX_QUERY_CHARS)
        .collect();
    let households = families::search(state, tenant, &q).await?;
    let model = SearchPage {
        info: info.message(),
        can_invite: page.member.role.allows(Role::Gestionnaire),
        searched: !q.trim().is_empty(),
        q,
        households,
    };
    Ok(page.frame.render(
        "staff_familles",
        &t("title-staff-families"),
        "familles",
        &model,
        200,
    ))
}

#[derive(Serialize)]
pub struct HouseholdPage {
    pub household: HouseholdDetail,
    pub can_edit: bool,
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub quotient_value: String,
    pub valid_from_value: String,
}

fn household_model(household: HouseholdDetail, member: &StaffSigned) -> HouseholdPage {
    HouseholdPage {
        can_edit: member.role.allows(Role::Gestionnaire),
        quotient_value: household
            .quotient_familial
            .map(|q| q.to_string())
            .unwrap_or_default(),
        valid_from_value: household
            .quotient_valid_from
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        household,
        info: None,
        error: None,
        errors: BTreeMap::new(),
    }
}

#[handler]
pub async fn household_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let household = families::detail(state, tenant, id).await?;
    let title = household.name.clone();
    let mut model = household_model(household, &page.member);
    model.info = query.message();
    Ok(page
        .frame
        .render("staff_foyer", &title, "familles", &model, 200))
}

#[derive(Deserialize)]
pub struct QuotientForm {
    quotient_familial: Option<String>,
    quotient_valid_from: Option<String>,
}

#[handler]
pub async fn set_quotient(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, QuotientForm>,
) -> Result<Response, PageError> {
    let raw = page.form.quotient_familial.clone().unwrap_or_default();
    let quotient = match raw.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let result = match quotient {
        Ok(quotient_familial) => {
            families::set_quotient(
                state,
                tenant,
                &page.member,
                id,
                QuotientChange {
                    quotient_familial,
                    quotient_valid_from: page.form.quotient_valid_from.clone(),
                },
                "page",
            )
            .await
        }
        Err(()) => {
            let mut errors = crate::validation::FieldErrors::default();
            errors.add("quotient_familial", t("staff-quotient-number"));
            Err(StaffError::Invalid(errors))
        }
    };
    match result {
        Ok(_) => Ok(see_other(format!(
            "/{}/gestion/familles/{id}?info=quotient",
            tenant.slug()
        ))),
        Err(StaffError::Invalid(errors)) => {
            let household = families::detail(state, tenant, id).await?;
            let title = household.name.clone();
            let mut model = household_model(household, &page.member);
            model.error = Some(t("error-invalid-fields"));
            model.errors = errors.0;
            model.quotient_value = raw;
            model.valid_from_value = page.form.quotient_valid_from.clone().unwrap_or_default();
            Ok(page
                .frame
                .render("staff_foyer", &title, "familles", &model, 422))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Invitations to families ----

#[derive(Deserialize)]
pub struct InvitationForm {
    guardian_id: Option<String>,
    /// Any value: every guardian who never signed in.
    all: Option<String>,
    /// The household page to go back to.
    household_id: Option<String>,
}

#[handler]
pub async fn invite_families(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Gestionnaire, InvitationForm>,
) -> Result<Response, PageError> {
    let selection = match (&page.form.all, &page.form.guardian_id) {
        (Some(_), _) => invitations::Selection::NeverSignedIn,
        (None, Some(id)) => invitations::Selection::Guardians(vec![parse_id(id)?]),
        (None, None) => invitations::Selection::Guardians(vec![]),
    };
    let outcome = invitations::invite(state, tenant, &page.member, selection, "page").await?;
    let back = match page.form.household_id.as_deref().map(parse_id) {
        Some(id) => format!("/{}/gestion/familles/{}", tenant.slug(), id?),
        None => format!("/{}/gestion/familles", tenant.slug()),
    };
    Ok(see_other(format!(
        "{back}?info=invitations&sent={}&skipped={}",
        outcome.sent, outcome.skipped
    )))
}

// ---- Child record ----

#[derive(Serialize)]
pub struct ChildPage {
    pub child: ChildRecord,
    pub name: String,
    pub validated: bool,
    pub validated_on: String,
    pub can_validate: bool,
    pub info: Option<String>,
}

fn child_model(child: ChildRecord, member: &StaffSigned) -> ChildPage {
    ChildPage {
        name: format!("{} {}", child.first_name, child.last_name),
        validated: child.validated_at.is_some(),
        validated_on: child
            .validated_at
            .map(|d| {
                d.with_timezone(&chrono_tz::Europe::Paris)
                    .format("%d/%m/%Y")
                    .to_string()
            })
            .unwrap_or_default(),
        can_validate: member.role.allows(Role::Gestionnaire),
        child,
        info: None,
    }
}

/// The whole record of a child: an audited read.
#[handler]
pub async fn child_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let child = records::read(state, tenant, &page.member, id, "page").await?;
    let mut model = child_model(child, &page.member);
    model.info = query.info.as_deref().and_then(info_message);
    let title = model.name.clone();
    Ok(page
        .frame
        .render("staff_enfant", &title, "familles", &model, 200))
}

#[derive(Deserialize)]
pub struct ValidationForm {
    validated: Option<String>,
}

#[handler]
pub async fn validate_child(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, ValidationForm>,
) -> Result<Response, PageError> {
    let validated = page.form.validated.as_deref() == Some("oui");
    records::set_validated(state, tenant, &page.member, id, validated, "page").await?;
    let info = if validated { "validee" } else { "devalidee" };
    Ok(see_other(format!(
        "/{}/gestion/enfants/{id}?info={info}",
        tenant.slug()
    )))
}

// ---- Counts and attendance lists ----

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
    prestation: Option<String>,
}

/// The day asked for, else today in Paris.
fn day_of(state: &AppState, raw: Option<&str>) -> chrono::NaiveDate {
    raw.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| {
            state
                .clock
                .now()
                .with_timezone(&chrono_tz::Europe::Paris)
                .date_naive()
        })
}

#[derive(Serialize)]
pub struct DietLine {
    pub diet: String,
    pub count: i64,
}

#[derive(Serialize)]
pub struct CountLine {
    pub code: String,
    pub name: String,
    pub booked: i64,
    pub capacity: Option<i32>,
    pub pai: i64,
    pub diets: Vec<DietLine>,
    pub classes: Vec<counts::ClassCount>,
}

#[derive(Serialize)]
pub struct CountsPage {
    pub date: String,
    pub date_label: String,
    pub prestations: Vec<CountLine>,
}

fn counts_model(day: chrono::NaiveDate, found: Vec<PrestationCount>) -> CountsPage {
    CountsPage {
        date: day.format("%Y-%m-%d").to_string(),
        date_label: day.format("%d/%m/%Y").to_string(),
        prestations: found
            .into_iter()
            .map(|p| CountLine {
                diets: p
                    .diets
                    .into_iter()
                    .map(|(diet, count)| DietLine { diet, count })
                    .collect(),
                code: p.code,
                name: p.name,
                booked: p.booked,
                capacity: p.capacity,
                pai: p.pai,
                classes: p.classes,
            })
            .collect(),
    }
}

#[handler]
pub async fn counts_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<DayQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let day = day_of(state, query.date.as_deref());
    let found = counts::counts(state, tenant, day).await?;
    Ok(page.frame.render(
        "staff_effectifs",
        &t("title-staff-counts"),
        "effectifs",
        &counts_model(day, found),
        200,
    ))
}

#[derive(Serialize)]
pub struct AttendancePage {
    pub list: Attendance,
    pub date: String,
    pub date_label: String,
    pub csv_href: String,
}

async fn attendance_of(
    state: &AppState,
    tenant: &CurrentTenant,
    query: &DayQuery,
) -> Result<Attendance, PageError> {
    let day = day_of(state, query.date.as_deref());
    let prestation = query.prestation.clone().unwrap_or_default();
    Ok(counts::attendance(state, tenant, day, &prestation).await?)
}

#[handler]
pub async fn attendance_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<DayQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let list = attendance_of(state, tenant, &query).await?;
    let model = AttendancePage {
        date: list.date.format("%Y-%m-%d").to_string(),
        date_label: list.date.format("%d/%m/%Y").to_string(),
        csv_href: format!(
            "/{}/gestion/effectifs/liste.csv?date={}&prestation={}",
            tenant.slug(),
            list.date.format("%Y-%m-%d"),
            list.prestation
        ),
        list,
    };
    Ok(page.frame.render(
        "staff_liste",
        &t("title-staff-attendance"),
        "effectifs",
        &model,
        200,
    ))
}

/// The attendance list as a CSV download.
#[handler]
pub async fn attendance_csv(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<DayQuery>,
    _page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let list = attendance_of(state, tenant, &query).await?;
    let file = format!("presences-{}-{}.csv", list.prestation, list.date);
    Ok(Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"{file}\""),
        )
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .body(counts::to_csv(&list)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::global;
    use serde_json::{Value, json};

    fn frame_with(page: &impl Serialize) -> Value {
        let t = global();
        let mut context = json!({
            "title": "Gestion",
            "css": t.css_url(),
            "js": t.js_url(),
            "tenant": { "slug": "demo", "name": "Mairie <de> Démo" },
            "nav": [],
            "account": { "name": "Anne <LEROUX>", "href": "/demo/gestion/", "signout": "/demo/gestion/deconnexion" },
            "csrf": "tok",
        });
        if let (Value::Object(c), Value::Object(d)) =
            (&mut context, serde_json::to_value(page).unwrap())
        {
            c.extend(d);
        }
        context
    }

    fn render(template: &str, page: &impl Serialize) -> String {
        global().try_render(template, &frame_with(page)).unwrap()
    }

    #[test]
    fn the_sign_in_page_asks_for_the_code_and_escapes() {
        let html = render(
            "staff_connexion",
            &SignInPage {
                email: "<x>@y.fr".into(),
                info: None,
                error: Some("Erreur".into()),
            },
        );
        assert!(html.contains("name=\"code\""));
        assert!(html.contains("&lt;x&gt;@y.fr"));
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("/demo/gestion/deconnexion"));
    }

    #[test]
    fn the_activation_steps_render() {
        let mut page = ActivationPage::password("tok123");
        assert!(render("staff_activation", &page).contains("name=\"password\""));
        page = ActivationPage::enrol(
            "tok123",
            auth::Enrolment {
                secret: "ABCDEF".into(),
                uri: "otpauth://totp/x:y?secret=ABCDEF".into(),
            },
        );
        let html = render("staff_activation", &page);
        assert!(html.contains("ABCDEF") && html.contains("<svg") && html.contains("name=\"code\""));
        page = ActivationPage {
            step: "codes",
            recovery_codes: vec!["AAAAA-BBBBB".into()],
            ..Default::default()
        };
        assert!(render("staff_activation", &page).contains("AAAAA-BBBBB"));
    }

    #[test]
    fn the_home_team_and_family_pages_render() {
        let me = StaffSigned {
            session_id: "s".into(),
            id: uuid::Uuid::new_v4(),
            name: "Anne".into(),
            email: "a@b.fr".into(),
            role: Role::Admin,
        };
        let summary = families::Summary {
            awaiting_validation: 4,
            never_signed_in: 7,
        };
        let home_html = render("staff_accueil", &home_model(&me, summary, None));
        assert!(home_html.contains("/demo/gestion/equipe") && home_html.contains("7 responsables"));
        let team_page = team_model(
            vec![Member {
                id: uuid::Uuid::new_v4(),
                email: "b@b.fr".into(),
                name: "Bruno <B>".into(),
                role: "gestionnaire".into(),
                status: "invited".into(),
            }],
            &me,
            "accueil",
        );
        let html = render("staff_equipe", &team_page);
        assert!(html.contains("Bruno &lt;B&gt;") && html.contains("name=\"role\""));
        let household = HouseholdDetail {
            id: uuid::Uuid::new_v4(),
            name: "ALAIN".into(),
            reference: "F1".into(),
            address: "1 rue".into(),
            postal_code: "22300".into(),
            city: "Lannion".into(),
            quotient_familial: Some(742),
            quotient_valid_from: None,
            guardians: vec![],
            children: vec![],
        };
        let html = render("staff_foyer", &household_model(household, &me));
        assert!(html.contains("value=\"742\"") && html.contains("quotient_valid_from"));
        let html = render(
            "staff_familles",
            &SearchPage {
                info: None,
                can_invite: true,
                q: "%_".into(),
                searched: true,
                households: vec![],
            },
        );
        assert!(html.contains("value=\"%_\""));
        let child = ChildRecord {
            id: uuid::Uuid::new_v4(),
            household_id: uuid::Uuid::new_v4(),
            first_name: "Théo".into(),
            last_name: "ALAIN".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(2016, 7, 7).unwrap(),
            birth_city: "Lannion".into(),
            school: "Jean Macé".into(),
            class: "CM1".into(),
            diets: vec!["sans porc".into()],
            doctor_name: "Dr <X>".into(),
            doctor_phone: "".into(),
            allergies: "arachide".into(),
            pai: true,
            medical_notes: "".into(),
            validated_at: None,
            contacts: vec![],
        };
        let html = render("staff_enfant", &child_model(child, &me));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let counted = counts_model(
            day,
            vec![PrestationCount {
                code: "repas".into(),
                name: "Repas".into(),
                booked: 3,
                capacity: Some(120),
                diets: [("sans porc".to_string(), 2)].into_iter().collect(),
                pai: 1,
                classes: vec![],
            }],
        );
        let counts_html = render("staff_effectifs", &counted);
        assert!(counts_html.contains("sans porc") && counts_html.contains("prestation=repas"));
        let list = AttendancePage {
            list: Attendance {
                date: day,
                prestation: "repas".into(),
                name: "Repas".into(),
                children: vec![counts::AttendanceLine {
                    last_name: "ALAIN".into(),
                    first_name: "<Théo>".into(),
                    school: "École".into(),
                    class: "CM1".into(),
                    diets: vec![],
                    pai: false,
                    contacts: vec!["Mamie 06".into()],
                }],
            },
            date: "2026-12-01".into(),
            date_label: "01/12/2026".into(),
            csv_href: "/demo/gestion/effectifs/liste.csv?date=2026-12-01&prestation=repas".into(),
        };
        let list_html = render("staff_liste", &list);
        assert!(list_html.contains("&lt;Théo&gt;") && list_html.contains("liste.csv"));
        assert!(html.contains("Dr &lt;X&gt;") && html.contains("value=\"oui\""));
    }
}
