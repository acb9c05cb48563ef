//! Reservations (guide, section 4): the weekly grid per child, booking and cancelling a day or
//! a whole week, the mass booking wizard, the history of every change, and the household's
//! calendar feed. Decisions use the pure calendar rules of `portail_tenants::calendar`.

pub mod api;
pub mod availability;
pub mod feed;
mod grid_html;
pub mod history;
pub mod pages;
pub mod period;
pub mod repository;
pub mod rules;
pub mod service;
pub mod wizard;
