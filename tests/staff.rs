//! Staff back-office, end to end.

mod support;
