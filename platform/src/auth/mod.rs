//! Parent accounts and sign-in: passwords (policy, helpers, hashing), sign-in with throttling,
//! reset and first connection by e-mail, sessions in cookies, CSRF protection of forms, and
//! sign-in with an OpenID Connect provider.

pub mod password_generator;
pub mod password_policy;
