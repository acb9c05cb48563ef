//! The API's OpenAPI spec, completed once for all operations with what poem and our guards
//! answer before any handler runs, so that every response a client can get is documented:
//!
//! - 400 `invalid_parameter` / `invalid_body` (a parameter or a body that cannot be read),
//!   415 `unsupported_media_type` (a body of another content type), 401 `not_authenticated`
//!   (operations behind the session), 403 `forbidden_origin` (mutations);
//! - a JSON body is held to the JSON types of its schema (poem-openapi would read `12` or
//!   `false` as a string), and a closed body says it takes no other field;
//! - a path served by two APIs lists the operations of both;
//! - every optional field is `nullable`: poem-openapi writes a `None` as `null` and reads a
//!   `null` as `None`, while its schema says only "not required";
//! - a method a path does not serve is answered 405 `method_not_allowed` with the `Allow`
//!   header listing the ones it does.

use super::errors::{ErrorBody, api_error, error_meta};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Endpoint, EndpointExt, Response};
use poem_openapi::OpenApi;
use poem_openapi::error::ParseRequestPayloadError;
use poem_openapi::registry::{MetaApi, MetaOperation, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The API `T`, with its spec completed and its undeclared methods answered (see the module).
pub struct Documented<T>(pub T);

/// The answers every operation may give before its handler runs.
const INVALID_REQUEST: (u16, &str) = (
    400,
    "A parameter (`invalid_parameter`) or the body (`invalid_body`) cannot be read as documented.",
);
const NOT_SIGNED_IN: (u16, &str) = (
    401,
    "Not signed in (`not_authenticated`); answered by the session check.",
);
const FOREIGN_ORIGIN: (u16, &str) = (
    403,
    "The request's `Origin` is not the portal's (`forbidden_origin`).",
);
const WRONG_CONTENT_TYPE: (u16, &str) = (
    415,
    "The body is not of a content type this operation reads (`unsupported_media_type`).",
);

impl<T: OpenApi> OpenApi for Documented<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        merge_shared_paths(&mut apis);
        for operation in apis
            .iter_mut()
            .flat_map(|api| api.paths.iter_mut())
            .flat_map(|path| path.operations.iter_mut())
        {
            complete(operation);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
        <ErrorBody as Type>::register(registry);
        for schema in registry.schemas.values_mut() {
            optional_fields_are_nullable(schema);
            if schema
                .rust_typename
                .is_some_and(|name| CLOSED.iter().any(|closed| name.ends_with(closed)))
            {
                schema.additional_properties = Some(Box::new(no_other_field()));
            }
        }
    }

    fn add_routes(self, table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(table);
        typed_json_bodies::<T>(table);
        let served = table
            .iter()
            .map(|(path, methods)| {
                let mut names: Vec<_> = methods.keys().map(Method::as_str).collect();
                if methods.contains_key(&Method::GET) && !methods.contains_key(&Method::HEAD) {
                    names.push(Method::HEAD.as_str());
                }
                names.sort_unstable();
                let allow =
                    HeaderValue::from_str(&names.join(", ")).expect("method names are header-safe");
                (segments(path), allow)
            })
            .collect();
        // The same API types make the same table: the first one built is every one's.
        let _ = SERVED.get_or_init(|| served);
    }
}

/// The request bodies declared `#[oai(deny_unknown_fields)]` (poem-openapi does not say it in
/// their schema): a field the schema does not name is refused with 400 `invalid_body`, so
/// that nobody believes they set what they may not (a household's id, its quotient). The fuzz
/// run fails both on a closed body missing here and on one listed here that is not closed.
const CLOSED: [&str; 5] = [
    "::children::api::ChildPatch",
    "::children::api::ContactBody",
    "::household::api::HouseholdPatch",
    "::household::api::GuardianPatch",
    "::i18n::api::MePatch",
];

/// `additionalProperties` for a closed object: a schema no value satisfies (OpenAPI's
/// `false`, which poem-openapi's registry cannot spell).
fn no_other_field() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        description: Some("No other field is accepted (`invalid_body`)."),
        max_length: Some(0),
        min_length: Some(1),
        ..MetaSchema::new("string")
    }))
}

/// poem-openapi reads a JSON number or boolean sent for a `string` as its text: each JSON
/// body is first held to the JSON types its schema declares, and refused with 400
/// `invalid_body` otherwise, as any other body that does not follow the schema.
fn typed_json_bodies<T: OpenApi>(
    table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>,
) {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let registry = Arc::new(registry);
    for operation in T::meta()
        .into_iter()
        .flat_map(|api| api.paths)
        .flat_map(|path| {
            let route = route_of(&path.path);
            path.operations
                .into_iter()
                .map(move |op| (route.clone(), op))
        })
    {
        let (route, operation) = operation;
        let Some(schema) = operation.request.and_then(|request| {
            request
                .content
                .into_iter()
                .find(|media| media.content_type.starts_with("application/json"))
                .map(|media| media.schema)
        }) else {
            continue;
        };
        let Some(endpoint) = table
            .get_mut(&route)
            .and_then(|methods| methods.remove(&operation.method))
        else {
            continue;
        };
        let registry = registry.clone();
        let checked = endpoint.around(move |endpoint, mut req| {
            let (registry, schema) = (registry.clone(), schema.clone());
            async move {
                let is_json = req
                    .content_type()
                    .is_some_and(|t| t.starts_with("application/json"));
                if is_json {
                    let body = req.take_body().into_bytes().await?;
                    if let Ok(value) = serde_json::from_slice::<Value>(&body)
                        && let Err(reason) = conforms(&value, &schema, &registry)
                    {
                        return Ok(api_error(ParseRequestPayloadError { reason }.into()));
                    }
                    req.set_body(body);
                }
                endpoint.call(req).await
            }
        });
        table
            .get_mut(&route)
            .expect("the route was just taken from the table")
            .insert(operation.method, checked.boxed());
    }
}

/// The route table's key of a spec path: poem-openapi names its parameters `param0`, `param1`…
fn route_of(spec_path: &str) -> String {
    let mut count = 0;
    spec_path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                count += 1;
                format!(":param{}", count - 1)
            } else {
                segment.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `value` has the JSON types `schema` declares (values, fields and items); the rest of
/// the schema (required fields, lengths…) is poem-openapi's to check.
fn conforms(value: &Value, schema: &MetaSchemaRef, registry: &Registry) -> Result<(), String> {
    let schema = match schema {
        MetaSchemaRef::Inline(schema) => schema.as_ref(),
        MetaSchemaRef::Reference(name) => match registry.schemas.get(name) {
            Some(schema) => schema,
            None => return Ok(()),
        },
    };
    for part in &schema.all_of {
        conforms(value, part, registry)?;
    }
    let typed = match (schema.ty, value) {
        (_, Value::Null) | ("", _) => true,
        ("string", v) => v.is_string(),
        ("boolean", v) => v.is_boolean(),
        ("integer", v) => v.is_i64() || v.is_u64(),
        ("number", v) => v.is_number(),
        ("array", Value::Array(items)) => {
            if let Some(item) = &schema.items {
                for v in items {
                    conforms(v, item, registry)?;
                }
            }
            true
        }
        ("object", Value::Object(fields)) => {
            for (name, property) in &schema.properties {
                if let Some(v) = fields.get(*name) {
                    conforms(v, property, registry).map_err(|e| format!("`{name}`: {e}"))?;
                }
            }
            true
        }
        _ => false,
    };
    if typed {
        Ok(())
    } else {
        Err(format!("expected {}, found {value}", schema.ty))
    }
}

/// Each path of the API (its segments, `:name` for a parameter) with its `Allow` value.
static SERVED: OnceLock<Vec<(Vec<String>, HeaderValue)>> = OnceLock::new();

fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

/// The methods the API serves at `path`, for the `Allow` header of a 405.
fn allowed_methods(path: &str) -> Option<HeaderValue> {
    let asked = segments(path);
    SERVED.get()?.iter().find_map(|(template, allow)| {
        let matches = template.len() == asked.len()
            && template
                .iter()
                .zip(&asked)
                .all(|(t, a)| t == a || (t.starts_with(':') && !a.is_empty()));
        matches.then(|| allow.clone())
    })
}

/// `api`, with its 405s saying which methods the path serves (RFC 9110 requires `Allow`).
pub fn with_allow<E: Endpoint<Output = Response> + 'static>(
    api: E,
) -> impl Endpoint<Output = Response> {
    api.around(|api, req| async move {
        let path = req.uri().path().to_string();
        let mut response = api.call(req).await?;
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(allow) = allowed_methods(&path)
        {
            response.headers_mut().insert("allow", allow);
        }
        Ok(response)
    })
}

/// Two APIs serving the same path (`GET /me` and `PATCH /me`) would each write the path's
/// entry in the spec, and the last would hide the other's operations: the first keeps them all.
fn merge_shared_paths(apis: &mut [MetaApi]) {
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for a in 0..apis.len() {
        let mut p = 0;
        while p < apis[a].paths.len() {
            let path = apis[a].paths[p].path.clone();
            match seen.get(&path) {
                Some(&(first_api, first_path)) => {
                    let moved = apis[a].paths.remove(p);
                    apis[first_api].paths[first_path]
                        .operations
                        .extend(moved.operations);
                }
                None => {
                    seen.insert(path, (a, p));
                    p += 1;
                }
            }
        }
    }
}

/// Adds the statuses answered before the handler that `operation` does not list yet.
fn complete(operation: &mut MetaOperation) {
    let mut shared = vec![INVALID_REQUEST];
    if !operation.security.is_empty() {
        shared.push(NOT_SIGNED_IN);
    }
    if !matches!(
        operation.method,
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        shared.push(FOREIGN_ORIGIN);
    }
    if operation.request.is_some() {
        shared.push(WRONG_CONTENT_TYPE);
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in shared {
        if responses.iter().all(|r| r.status != Some(status)) {
            responses.push(error_meta(status, description));
        }
    }
    // Successes first, then by status, as the operations list them.
    responses.sort_by_key(|r| r.status.unwrap_or(u16::MAX));
}

/// A property that is neither required nor defaulted is an `Option`: `null` both ways.
fn optional_fields_are_nullable(schema: &mut MetaSchema) {
    let required = schema.required.clone();
    for (name, property) in schema.properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        match property {
            MetaSchemaRef::Inline(inline) if inline.default.is_none() => inline.nullable = true,
            MetaSchemaRef::Inline(_) => {}
            MetaSchemaRef::Reference(name) => {
                *property = MetaSchemaRef::Inline(Box::new(MetaSchema {
                    all_of: vec![MetaSchemaRef::Reference(name.clone())],
                    nullable: true,
                    ..MetaSchema::ANY
                }))
            }
        }
    }
}
