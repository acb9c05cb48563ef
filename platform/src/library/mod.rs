//! The municipality's documents library (guide, section 6): staff (`gestionnaire`) publish
//! menus, activities, rules… into the rubriques of the configuration, for everyone, one
//! structure or one school, from a date and optionally until one; parents see the rubriques
//! with a count of documents they have not opened yet.
//!
//! Invariants:
//! - a guardian only ever lists or opens a document published for their household: live
//!   (not withdrawn, published on or before today, not past its end date) and for everyone,
//!   for a structure one of the household's children is enrolled in, or for the school one
//!   of them attends; anything else is "not found";
//! - published files pass the same checks as parents' uploads (type by first bytes, hostile
//!   content, size, antivirus) through `documents::guard`, and are served `inline` (PDF and
//!   images open in the browser's viewer), with `nosniff`;
//! - "new" is per guardian: a document stays new until that guardian opens it.

pub mod api;
pub mod pages;
pub mod repository;
pub mod service;
