//! A trace of refused object access: a signed-in guardian asking for an id that is not their
//! household's answers 404 (never the data), and the log says who asked for what (tenant,
//! actor, object type and id, hashed client address), so a probe of ids shows in the logs.
//! Runs inside the tenant resolution; costs a session read only for such 404 answers.

use super::around::Around;
use crate::auth::session::{SESSION_COOKIE, client_address, read_cookie};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone)]
pub struct RefusalLog {
    pub state: Arc<AppState>,
}

/// The kind and id of the object a path names: the segment before its first UUID.
fn object_of(path: &str) -> Option<(&str, Uuid)> {
    let segments: Vec<&str> = path.split('/').collect();
    segments.windows(2).find_map(|w| {
        let id = w[1].trim_end_matches(".ics").parse::<Uuid>().ok()?;
        Some((w[0], id))
    })
}

impl Around for RefusalLog {
    async fn around<E: Endpoint>(&self, next: &E, req: Request) -> Result<Response> {
        let tenant = req.extensions().get::<CurrentTenant>().cloned();
        let path = req.uri().path().to_string();
        let session = read_cookie(&req, SESSION_COOKIE);
        let client = client_address(&req);
        let response = next.call(req).await?.into_response();
        if response.status() == poem::http::StatusCode::NOT_FOUND
            && let (Some(tenant), Some(session)) = (tenant, session)
            && let Some((kind, id)) = object_of(&path)
            && let Ok(Some(found)) = self.state.sessions.load(tenant.slug(), &session).await
        {
            let actor = found
                .data
                .get("guardian_id")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            tracing::warn!(
                tenant.slug = tenant.slug(),
                actor = %actor,
                object.kind = kind,
                object.id = %id,
                client.hash = %client,
                "object access refused"
            );
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_object_is_the_segment_before_the_first_id() {
        let id = Uuid::new_v4();
        assert_eq!(
            object_of(&format!("/ville/api/v1/children/{id}/contacts")),
            Some(("children", id))
        );
        assert_eq!(
            object_of(&format!("/ville/documents/{id}/telecharger")),
            Some(("documents", id))
        );
        assert_eq!(object_of("/ville/foyer"), None);
    }
}
