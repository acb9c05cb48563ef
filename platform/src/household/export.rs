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

const PARTS: [(&str, &str); 12] = [
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
    if let Some(Value::Array(documents)) = out.get_mut("documents") {
        for d in documents.iter_mut() {
            let id = d["id"].as_str().unwrap_or_default().to_string();
            d["download"] = json!(format!(
                "{}/{}/api/v1/documents/{id}/download",
                state.settings.public_url,
                tenant.slug()
            ));
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
