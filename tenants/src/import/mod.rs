//! Import of families from the software a municipality leaves: a CSV file (UTF-8, `;` or `,`),
//! one row per child. All rows are checked before anything is written; one bad row refuses the
//! whole file and every problem is listed with its line number. Re-importing the same file
//! changes nothing; a changed row updates its household, guardians and child. The import never
//! deletes a household, guardian or child; a child's enrolments follow the file.

mod parse;
mod write;

pub use parse::{DIETS, HEADERS, Household, ImportFile, Person, Row, parse};
pub use write::{Counts, ImportReport, import};

/// A refused import: every problem, each `line N: reason`.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

#[cfg(test)]
mod tests;
