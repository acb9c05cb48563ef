//! `/{slug}/api/v1/children`: the children of the signed-in guardian's household, their
//! contacts and validation; `/{slug}/api/v1/export`: the household's whole file.

use super::repository::{Child, Contact};
use super::service::{self, ChildChange, ContactInput};
use crate::auth::api::SignedInApi;
use crate::auth::session::SignedIn;
use crate::family::{WriteError, is_validated};
use crate::http::errors::ApiError;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Children's records ("Mes enfants"), contacts and validation.
    Children,
}

#[derive(Object)]
#[oai(rename = "Child")]
pub struct ChildDto {
    id: Uuid,
    first_name: String,
    last_name: String,
    birth_date: NaiveDate,
    birth_city: String,
    school: String,
    class: String,
    /// Among "sans porc", "sans viande", "sans gluten", "sans lactose", "PAI".
    diets: Vec<String>,
    doctor_name: String,
    doctor_phone: String,
    allergies: String,
    pai: bool,
    medical_notes: String,
    validated_at: Option<DateTime<Utc>>,
    /// Validated for the current school year.
    validated: bool,
}

pub fn child_dto(c: Child, now: DateTime<Utc>) -> ChildDto {
    ChildDto {
        validated: is_validated(c.validated_at, now),
        id: c.id,
        first_name: c.first_name,
        last_name: c.last_name,
        birth_date: c.birth_date,
        birth_city: c.birth_city,
        school: c.school,
        class: c.class,
        diets: c.diets,
        doctor_name: c.doctor_name,
        doctor_phone: c.doctor_phone,
        allergies: c.allergies,
        pai: c.pai,
        medical_notes: c.medical_notes,
        validated_at: c.validated_at,
    }
}

#[derive(Object)]
#[oai(rename = "ChildContact")]
pub struct ContactDto {
    id: Uuid,
    name: String,
    relation: String,
    phone: String,
    phone2: String,
    /// May pick the child up.
    pickup: bool,
    /// To call in an emergency.
    emergency: bool,
}

fn contact_dto(c: Contact) -> ContactDto {
    ContactDto {
        id: c.id,
        name: c.name,
        relation: c.relation,
        phone: c.phone,
        phone2: c.phone2,
        pickup: c.pickup,
        emergency: c.emergency,
    }
}

#[derive(Object)]
#[oai(rename = "ChildAuthorization")]
struct AuthorizationDto {
    code: String,
    label: String,
    granted: Option<bool>,
    decided_at: Option<DateTime<Utc>>,
}

#[derive(Object)]
struct EnrolmentDto {
    prestation: String,
    name: String,
    structure: String,
    structure_name: String,
}

#[derive(Object)]
struct ChildDetailDto {
    #[oai(flatten)]
    child: ChildDto,
    contacts: Vec<ContactDto>,
    authorizations: Vec<AuthorizationDto>,
    enrolments: Vec<EnrolmentDto>,
}

#[derive(Object)]
struct ChildrenDto {
    children: Vec<ChildDto>,
}

#[derive(Object)]
struct AuthorizationChoice {
    code: String,
    granted: bool,
}

/// The editable fields of a child's record. Anything else (`household_id`, `validated_at`…)
/// is refused with 400.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ChildPatch {
    first_name: Option<String>,
    last_name: Option<String>,
    /// AAAA-MM-JJ or JJ/MM/AAAA, not in the future.
    birth_date: Option<String>,
    birth_city: Option<String>,
    school: Option<String>,
    class: Option<String>,
    diets: Option<Vec<String>>,
    doctor_name: Option<String>,
    doctor_phone: Option<String>,
    allergies: Option<String>,
    pai: Option<bool>,
    medical_notes: Option<String>,
    authorizations: Option<Vec<AuthorizationChoice>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ContactBody {
    name: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    phone2: Option<String>,
    pickup: Option<bool>,
    emergency: Option<bool>,
}

impl From<ContactBody> for ContactInput {
    fn from(b: ContactBody) -> Self {
        ContactInput {
            name: b.name,
            relation: b.relation,
            phone: b.phone,
            phone2: b.phone2,
            pickup: b.pickup,
            emergency: b.emergency,
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Contact(Json<ContactDto>),
}

#[derive(ApiResponse)]
enum Deleted {
    #[oai(status = 204)]
    Contact,
}

type Answer<T> = Result<T, ApiError<WriteError>>;

pub struct ChildrenApi {
    pub state: Arc<AppState>,
}

impl ChildrenApi {
    async fn detail(
        &self,
        tenant: &CurrentTenant,
        signed: &SignedIn,
        id: Uuid,
    ) -> Answer<Json<Box<ChildDetailDto>>> {
        let now = self.state.clock.now();
        let d = service::detail(&self.state, tenant, signed, id)
            .await?
            .ok_or(WriteError::NotFound)?;
        Ok(Json(Box::new(ChildDetailDto {
            child: child_dto(d.child, now),
            contacts: d.contacts.into_iter().map(contact_dto).collect(),
            authorizations: d
                .authorizations
                .into_iter()
                .map(|(kind, given)| AuthorizationDto {
                    code: kind.code,
                    label: kind.label,
                    granted: given.as_ref().map(|g| g.granted),
                    decided_at: given.map(|g| g.decided_at),
                })
                .collect(),
            enrolments: d
                .enrolments
                .into_iter()
                .map(|e| EnrolmentDto {
                    prestation: e.prestation,
                    name: e.name,
                    structure: e.structure,
                    structure_name: e.structure_name,
                })
                .collect(),
        })))
    }
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Children")]
    impl ChildrenApi {
        /// The household's children.
        #[op("get", "/:slug/api/v1/children", "listChildren")]
        async fn list(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<ChildrenDto>> {
            let now = self.state.clock.now();
            let children = service::list(&self.state, &tenant, &signed).await?;
            Ok(Json(ChildrenDto {
                children: children.into_iter().map(|c| child_dto(c, now)).collect(),
            }))
        }

        /// One child's record, with contacts, authorisations and enrolments.
        #[op("get", "/:slug/api/v1/children/:id", "getChild")]
        async fn get(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<Box<ChildDetailDto>>> {
            self.detail(&tenant, &signed, id.0).await
        }

        /// Change a child's record (any subset of the editable fields).
        #[op("patch", "/:slug/api/v1/children/:id", "patchChild")]
        async fn patch(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            body: Json<ChildPatch>,
        ) -> Answer<Json<Box<ChildDetailDto>>> {
            let b = body.0;
            let change = ChildChange {
                first_name: b.first_name,
                last_name: b.last_name,
                birth_date: b.birth_date,
                birth_city: b.birth_city,
                school: b.school,
                class: b.class,
                diets: b.diets,
                doctor_name: b.doctor_name,
                doctor_phone: b.doctor_phone,
                allergies: b.allergies,
                pai: b.pai,
                medical_notes: b.medical_notes,
                authorizations: b
                    .authorizations
                    .map(|a| a.into_iter().map(|a| (a.code, a.granted)).collect()),
            };
            service::change(&self.state, &tenant, &signed, id.0, change, "api").await?;
            self.detail(&tenant, &signed, id.0).await
        }

        /// Certify the record is up to date for the current school year ("VALIDER CETTE FICHE").
        #[op("post", "/:slug/api/v1/children/:id/validate", "validateChild")]
        async fn validate(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<Box<ChildDetailDto>>> {
            service::validate(&self.state, &tenant, &signed, id.0, "api").await?;
            self.detail(&tenant, &signed, id.0).await
        }

        /// The child's exit and emergency contacts.
        #[op("get", "/:slug/api/v1/children/:id/contacts", "listContacts")]
        async fn contacts(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<Vec<ContactDto>>> {
            let contacts = service::contacts(&self.state, &tenant, &signed, id.0)
                .await?
                .ok_or(WriteError::NotFound)?;
            Ok(Json(contacts.into_iter().map(contact_dto).collect()))
        }

        /// Add a contact (name, phone, and pick-up and/or emergency).
        #[op("post", "/:slug/api/v1/children/:id/contacts", "addContact")]
        async fn add_contact(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            body: Json<ContactBody>,
        ) -> Answer<Created> {
            let contact =
                service::add_contact(&self.state, &tenant, &signed, id.0, body.0.into(), "api")
                    .await?;
            Ok(Created::Contact(Json(contact_dto(contact))))
        }

        /// Change a contact (any subset of its fields).
        #[op("patch", "/:slug/api/v1/children/:id/contacts/:contact_id", "patchContact")]
        async fn patch_contact(
            &self,
            tenant,
            id: Path<Uuid>,
            contact_id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            body: Json<ContactBody>,
        ) -> Answer<Json<ContactDto>> {
            let contact = service::change_contact(
                &self.state,
                &tenant,
                &signed,
                id.0,
                contact_id.0,
                body.0.into(),
                "api",
            )
            .await?;
            Ok(Json(contact_dto(contact)))
        }

        /// Remove a contact.
        #[op("delete", "/:slug/api/v1/children/:id/contacts/:contact_id", "deleteContact")]
        async fn delete_contact(
            &self,
            tenant,
            id: Path<Uuid>,
            contact_id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Deleted> {
            let contact_id = contact_id.0;
            service::remove_contact(&self.state, &tenant, &signed, id.0, contact_id, "api").await?;
            Ok(Deleted::Contact)
        }
    }
}
