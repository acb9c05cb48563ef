//! "Mon foyer": the household and its guardians (guide, section 3.1). Parents change their
//! contact details, address and consents; the quotient familial and criteria are staff's.

pub mod api;
pub mod export;
pub mod pages;
pub mod repository;
pub mod service;
