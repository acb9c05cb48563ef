//! Portail Famille: one service for the family portals of many municipalities.
//!
//! Each municipality (tenant) is the first segment of the URL and owns a PostgreSQL schema;
//! see `tenancy` for the rules that keep them apart. Features live in their own modules
//! (`portal`, …), each with its repository (queries), pages and API operations.

pub mod allocator;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod children;
pub mod cli;
pub mod clock;
pub mod dashboard;
pub mod documents;
pub mod family;
pub mod household;
pub mod http;
pub mod i18n;
pub mod library;
pub mod mail;
pub mod messaging;
pub mod portal;
pub mod redis_connection;
pub mod reservations;
pub mod school_calendar;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
pub mod tenancy;
pub mod validation;
