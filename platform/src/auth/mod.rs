//! Parent accounts and sign-in: passwords (policy, helpers, hashing), sign-in with throttling,
//! reset and first connection by e-mail, sessions in cookies, CSRF protection of forms.
//! `service` holds the rules; `api` and `pages` are its two faces.

pub mod api;
pub mod csrf;
pub mod email_change;
pub mod email_pages;
pub mod hashing;
pub mod oidc;
pub mod oidc_binding;
pub mod oidc_pages;
pub mod pages;
pub mod password_generator;
pub mod password_policy;
pub mod repository;
pub mod service;
pub mod session;
pub mod throttle;
pub mod tokens;
