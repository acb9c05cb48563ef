//! The portal's front door: the municipality's home page (welcome text and contact), its
//! accessibility statement, and the same information in the JSON API.

pub mod api;
pub mod pages;
pub mod repository;
pub mod service;
