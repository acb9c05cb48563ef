//! The household's whole file as one JSON document (GDPR: a parent can take all their data).
//! Password hashes and tokens are not data about the family and stay out; documents are
//! listed with their download address.

use crate::audit;
use crate::auth::session::SignedIn;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::{Map, Value, json};

const PARTS: [(&str, &str); 13] = [
    (
        "household",
        "SELECT to_jsonb(h) - 'updated_at' AS v FROM households h WHERE h.id = $1",
    ),
    (
        "guardians",
        "SELECT to_jsonb(g) AS v FROM guardians g WHERE g.household_id = $1 ORDER BY g.position",
    ),
    (
        "consents",
        "SELECT to_jsonb(c) AS v FROM consents c JOIN guardians g ON g.id = c.guardian_id WHERE g.household_id = $1",
    ),
    (
        "children",
        "SELECT to_jsonb(c) - 'import_key' AS v FROM children c WHERE c.household_id = $1 ORDER BY c.birth_date",
    ),
    (
        "contacts",
        "SELECT to_jsonb(x) AS v FROM contacts x JOIN children c ON c.id = x.child_id WHERE c.household_id = $1",
    ),
    (
        "authorizations",
        "SELECT to_jsonb(a) AS v FROM authorizations a JOIN children c ON c.id = a.child_id WHERE c.household_id = $1",
    ),
    (
        "enrolments",
        "SELECT to_jsonb(e) AS v FROM enrolments e JOIN children c ON c.id = e.child_id WHERE c.household_id = $1",
    ),
    (
        "insurances",
        "SELECT to_jsonb(i) AS v FROM insurances i WHERE i.household_id = $1",
    ),
    (
        "criteria",
        "SELECT to_jsonb(k) AS v FROM criteria k WHERE k.household_id = $1",
    ),
    (
        "documents",
        "SELECT to_jsonb(d) - 'data' - 'storage_name' AS v FROM documents d WHERE d.household_id = $1 ORDER BY d.created_at",
    ),
    (
        "sign_in_identities",
        "SELECT jsonb_build_object('issuer', o.issuer, 'guardian_id', o.guardian_id, 'linked_at', o.linked_at) AS v FROM oidc_identities o JOIN guardians g ON g.id = o.guardian_id WHERE g.household_id = $1",
    ),
    // The household's conversations with the services, each message with its files
    // (names and sizes; the files themselves download at their address).
    (
        "conversations",
        "SELECT jsonb_build_object('id', c.id, 'service', c.service_code, 'subject', c.subject,
             'created_at', c.created_at, 'closed_at', c.closed_at,
             'messages', coalesce((SELECT jsonb_agg(jsonb_build_object(
                 'id', m.id, 'from', CASE WHEN m.from_staff THEN 'service' ELSE 'family' END,
                 'guardian_id', m.guardian_id, 'body_html', m.body_html, 'sent_at', m.sent_at,
                 'attachments', coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'id', a.id, 'name', a.name || CASE a.content_type WHEN 'application/pdf' THEN '.pdf' WHEN 'image/png' THEN '.png' ELSE '.jpg' END,
                     'content_type', a.content_type, 'size', a.size)
                     ORDER BY a.position) FROM message_attachments a WHERE a.message_id = m.id), '[]'::jsonb))
                 ORDER BY m.sent_at, m.seq) FROM messages m WHERE m.conversation_id = c.id), '[]'::jsonb)) AS v
         FROM conversations c WHERE c.household_id = $1 ORDER BY c.created_at, c.id",
    ),
    // "Qui a consulté mes données": staff reads, with the staff member's name and role.
    (
        "staff_reads",
        "SELECT jsonb_build_object('at', a.at, 'staff', s.name, 'role', s.role, 'entity', a.entity, 'entity_id', a.entity_id) AS v FROM audit_log a JOIN staff s ON a.actor = 'staff:' || s.id::text WHERE a.household_id = $1 AND a.action = 'read' ORDER BY a.id",
    ),
];

pub async fn export(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    origin: &str,
) -> Result<Value, DbErr> {
    let tx = tenant.begin(state).await?;
    let mut out = Map::new();
    out.insert("format".into(), json!("portail-household-export/1"));
    out.insert("exported_at".into(), json!(state.clock.now()));
    out.insert(
        "municipality".into(),
        json!({ "slug": tenant.slug(), "name": tenant.0.name }),
    );
    for (name, query) in PARTS {
        let rows: Vec<Value> = tx
            .query_all_raw(sql(query, [signed.household_id.into()]))
            .await?
            .iter()
            .map(|r| r.try_get::<Value>("", "v"))
            .collect::<Result<_, _>>()?;
        let value = if name == "household" {
            rows.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(rows)
        };
        out.insert(name.into(), value);
    }
    let api = format!("{}/{}/api/v1", state.settings.public_url, tenant.slug());
    if let Some(Value::Array(documents)) = out.get_mut("documents") {
        link_downloads(documents, &api, |id| format!("/documents/{id}/download"));
    }
    if let Some(Value::Array(conversations)) = out.get_mut("conversations") {
        for c in conversations.iter_mut() {
            let conversation = c["id"].as_str().unwrap_or_default().to_string();
            let Some(Value::Array(messages)) = c.get_mut("messages") else {
                continue;
            };
            for a in messages
                .iter_mut()
                .filter_map(|m| m["attachments"].as_array_mut())
            {
                let path = |id: &str| format!("/conversations/{conversation}/attachments/{id}");
                link_downloads(a, &api, path);
            }
        }
    }
    let history = tx
        .query_all_raw(sql(
            "SELECT jsonb_build_object('at', at, 'actor', actor, 'action', action, 'entity', entity, 'entity_id', entity_id, 'fields', fields, 'origin', origin) AS v
             FROM audit_log WHERE household_id = $1 ORDER BY id",
            [signed.household_id.into()],
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<Value>("", "v"))
        .collect::<Result<Vec<_>, _>>()?;
    out.insert("history".into(), Value::Array(history));
    audit::by_guardian(
        &tx,
        signed,
        origin,
        "export",
        "household",
        signed.household_id.to_string(),
        vec![],
    )
    .await?;
    tx.commit().await?;
    Ok(Value::Object(out))
}

/// Gives each file of `files` its `download` link: the API's address `api` (`…/{slug}/api/v1`)
/// followed by `path` of the file's id.
fn link_downloads(files: &mut [Value], api: &str, path: impl Fn(&str) -> String) {
    for file in files {
        let id = file["id"].as_str().unwrap_or_default().to_string();
        file["download"] = json!(format!("{api}{}", path(&id)));
    }
}
