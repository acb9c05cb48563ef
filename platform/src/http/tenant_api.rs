//! `tenant_api!`: the `#[OpenApi]` impl of a municipality's JSON operations, without the
//! lines every one of them repeats.

/// Writes an `#[OpenApi]` impl whose operations all sit under `/:slug/api/v1` and read the
/// current municipality. Each operation says its method, path and id in one line, then names
/// the tenant as its first parameter after `&self`; the macro writes the `#[oai]` attribute,
/// the slug's path parameter (for the specification: the tenant is already resolved from it)
/// and the tenant's type:
///
/// ```ignore
/// tenant_api! {
///     #[OpenApi(tag = "ApiTags::Children")]
///     impl ChildrenApi {
///         /// The household's children.
///         #[op("get", "/:slug/api/v1/children", "listChildren")]
///         async fn list(&self, tenant, SignedInApi(signed): SignedInApi) -> Answer<…> {
///             …
///         }
///     }
/// }
/// ```
///
/// A declarative macro because poem-openapi reads the operations of the impl before any
/// macro inside it would expand; `#[op(…)]` takes `key = "value"` pairs after the id (`tag`).
macro_rules! tenant_api {
    (
        $(#[$impl_attr:meta])*
        impl $api:ident {
            $(
                $(#[doc = $doc:literal])*
                #[op($method:literal, $path:literal, $id:literal $(, $key:ident = $value:literal)*)]
                $(#[$attr:meta])*
                async fn $name:ident(&$self:ident, $tenant:ident $(, $($param:tt)*)?)
                    -> $answer:ty $body:block
            )*
        }
    ) => {
        $(#[$impl_attr])*
        impl $api {
            $(
                $(#[doc = $doc])*
                #[oai(path = $path, method = $method, operation_id = $id $(, $key = $value)*)]
                $(#[$attr])*
                async fn $name(
                    &$self,
                    #[oai(name = "slug")] _slug: ::poem_openapi::param::Path<String>,
                    $tenant: ::poem::web::Data<&$crate::tenancy::CurrentTenant>
                    $(, $($param)*)?
                ) -> $answer $body
            )*
        }
    };
}
pub(crate) use tenant_api;
