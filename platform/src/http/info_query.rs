//! `?info=…`: which confirmation a page says after the redirect of a form that succeeded
//! (`see_other("…?info=envoye")`); each page turns the code into its own sentence.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct InfoQuery {
    pub info: Option<String>,
}
