//! The API keeps the contract of its own OpenAPI spec for what is refused before any handler
//! runs: an unreadable body or parameter, another content type, an undeclared method, a
//! missing session. Each answers the JSON error shape with a stable code, and the spec lists
//! it (`scripts/fuzz` checks the rest against the spec with schemathesis).

mod support;

use serde_json::Value;
use support::*;

fn responses<'a>(spec: &'a Value, path: &str, method: &str) -> &'a serde_json::Map<String, Value> {
    spec["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not in the spec"))
}

#[tokio::test]
async fn a_malformed_or_off_schema_json_body_is_a_documented_400_invalid_body() {
    let town = Town::build("badjson").start().await;
    let paul = town.parent(PAUL).await;
    // Not JSON, not an object, an object where a string is due, and a number or a boolean
    // where a string is due (poem-openapi alone would read them as "22300" and "false").
    for body in [
        "{bad",
        "[]",
        r#"{"city": {"nested": 1}}"#,
        r#"{"city": 22300}"#,
        r#"{"postal_code": false}"#,
    ] {
        let r = paul
            .client
            .patch(paul.api_url("/household"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["code"], "invalid_body", "{body}: {answer}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .starts_with("Le corps de la requête n'a pas pu être lu"),
            "{answer}"
        );
    }
    let household = paul.json("/household").await;
    assert_eq!(household["city"], "Lannion", "nothing was written");
    // A day that is not written YYYY-MM-DD does not follow its documented pattern.
    let theo = paul.child_id("Théo").await;
    let (status, code) = status_and_code(paul.book(&theo, "repas", "demain").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_parameter"));
    let r = paul.get("/children/not-a-uuid").await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "invalid_parameter"
    );

    let spec: Value = town
        .app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    // A closed body says so: the household's fields, nothing else.
    let closed = &spec["components"]["schemas"]["HouseholdPatch"]["additionalProperties"];
    assert_eq!(
        (&closed["minLength"], &closed["maxLength"]),
        (&1.into(), &0.into())
    );
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let listed = operation["responses"].as_object().unwrap();
            assert!(listed.contains_key("400"), "{method} {path} lacks 400");
            if operation.get("security").is_some() {
                assert!(listed.contains_key("401"), "{method} {path} lacks 401");
            }
            if method != "get" {
                assert!(listed.contains_key("403"), "{method} {path} lacks 403");
            }
            if operation.get("requestBody").is_some() {
                assert!(listed.contains_key("415"), "{method} {path} lacks 415");
            }
        }
    }
    town.cleanup().await;
}

#[tokio::test]
async fn another_content_type_is_a_documented_415_in_json() {
    let town = Town::build("ctype").start().await;
    let paul = town.parent(PAUL).await;
    let r = paul
        .client
        .patch(paul.api_url("/household"))
        .header("content-type", "text/plain")
        .body("city=Lannion")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["code"], "unsupported_media_type");
    assert!(answer["message"].as_str().unwrap().contains("JSON"));

    let spec: Value = town
        .app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let listed = responses(&spec, "/{slug}/api/v1/household", "patch");
    assert_eq!(
        listed["415"]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody",
        "{listed:?}"
    );
    town.cleanup().await;
}

#[tokio::test]
async fn an_undeclared_method_is_405_with_the_methods_the_path_serves() {
    let town = Town::build("allow").without_families().start().await;
    let url = |path: &str| format!("{}/{}/api/v1{path}", town.app.base, town.slug());
    for (method, path, allow) in [
        ("TRACE", "/portal", "GET, HEAD"),
        ("DELETE", "/household", "GET, HEAD, PATCH"),
        (
            "QUERY",
            "/children/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            "GET, HEAD, PATCH",
        ),
    ] {
        let r = town
            .app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["code"],
            "method_not_allowed"
        );
    }
    town.cleanup().await;
}

#[tokio::test]
async fn optional_fields_are_nullable_and_every_operation_is_in_the_spec() {
    let town = Town::build("nullable").without_families().start().await;
    let spec: Value = town
        .app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let schemas = &spec["components"]["schemas"];
    // The portal's contact has no fax: the API says `null`, and the spec allows it.
    let portal: Value = town
        .app
        .get(&format!("/{}/api/v1/portal", town.slug()))
        .await
        .json()
        .await
        .unwrap();
    assert!(portal["contact"]["fax"].is_null(), "{portal}");
    let contact = portal_contact_schema(&spec);
    assert_eq!(schemas[contact]["properties"]["fax"]["nullable"], true);
    // A required field stays non-null.
    let required = schemas[contact]["required"].as_array().unwrap();
    let first = required[0].as_str().unwrap();
    assert!(
        schemas[contact]["properties"][first]
            .get("nullable")
            .is_none()
    );
    // A path two APIs serve lists the operations of both.
    let me = spec["paths"]["/{slug}/api/v1/me"].as_object().unwrap();
    assert!(me.contains_key("get") && me.contains_key("patch"), "{me:?}");
    town.cleanup().await;
}

/// The name of the schema of the portal's `contact`.
fn portal_contact_schema(spec: &Value) -> &str {
    let portal = spec["paths"]["/{slug}/api/v1/portal"]["get"]["responses"]["200"]["content"]
        ["application/json; charset=utf-8"]["schema"]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/components/schemas/");
    spec["components"]["schemas"][portal]["properties"]["contact"]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/components/schemas/")
}
