//! The signed-in parent's home (guide, section 2): under the municipality's welcome text,
//! four tiles — "Mes documents", "Mes factures", "Mes messages", "Mes réservations" — and the
//! same data as JSON (`GET /{slug}/api/v1/dashboard`).
//!
//! Every parent lands here after signing in, so it costs one tenant transaction with few
//! queries; the week's calendar rules come from their cache. Each tile's data comes from one
//! function of [`sources`], the seam where the invoices and messages features plug in.

pub mod api;
pub mod pages;
pub mod service;
pub mod sources;
