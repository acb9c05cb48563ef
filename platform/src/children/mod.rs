//! "Mes enfants": each child's record (guide, section 3.2): identity, school, diets, medical
//! information, exit and emergency contacts, authorisations, and the yearly validation.

pub mod api;
pub mod pages;
pub mod repository;
pub mod service;
