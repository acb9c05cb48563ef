//! The parameters every operation of the JSON API takes, written once.
//!
//! Each operation answers under `/{slug}/api/v1/…`: it names the `slug` path parameter (so the
//! OpenAPI document lists it; the value is not read again, [`TenantResolution`] has already
//! resolved it) and takes the municipality it names.
//!
//! [`TenantResolution`]: crate::tenancy::TenantResolution

/// `tenant_operations! { #[OpenApi(…)] impl MyApi { … } }` writes the `#[OpenApi]` impl of
/// operations written `async fn name(&self, tenant, …) -> … { … }`: each gets the `slug`
/// path parameter and `tenant: Data<&CurrentTenant>` after `&self` (name it `_tenant` where
/// the operation does not use it). The rest of the operation (its `#[oai]` attribute, other
/// parameters, answer and body) is written as in any `#[OpenApi]` impl.
///
/// A macro around the whole impl, because poem-openapi reads an operation's parameters before
/// any macro inside the impl is expanded.
macro_rules! tenant_operations {
    (
        $(#[$($api_attr:tt)*])*
        impl $api:ident {
            $(
                $(#[$($op_attr:tt)*])*
                async fn $name:ident(&$self:ident, $tenant:ident $($params:tt)*) -> $answer:ty
                $body:block
            )*
        }
    ) => {
        $(#[$($api_attr)*])*
        impl $api {
            $(
                $(#[$($op_attr)*])*
                async fn $name(
                    &$self,
                    #[oai(name = "slug")] _slug: poem_openapi::param::Path<String>,
                    $tenant: poem::web::Data<&crate::tenancy::CurrentTenant>
                    $($params)*
                ) -> $answer
                $body
            )*
        }
    };
}
pub(crate) use tenant_operations;
