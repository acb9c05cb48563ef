//! The PayFiP web-service client (SOAP over HTTPS, see `shared/design/PAYFIP.md`): create a
//! payment (`creerPaiementSecurise`) and ask its result (`recupererDetailPaiementSecurise`).
//! The XML is small and fixed: written by hand with escaping, read by element name (any
//! namespace prefix), so no XML crate is needed.

use std::time::Duration;

const SERVICE_NS: &str = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService";

/// What PayFiP answered, or why it did not.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PayfipError {
    /// `P1`: PayFiP does not know this `idOp` (any more).
    #[error("unknown idOp")]
    UnknownOperation,
    /// `P5`: no result yet: the payer is on the page, or left it.
    #[error("no result yet")]
    NoResultYet,
    /// Another functional error, with its code.
    #[error("PayFiP error {0}")]
    Refused(String),
    /// Not reachable, too slow, or an answer that is not PayFiP's.
    #[error("PayFiP unreachable: {0}")]
    Unreachable(String),
}

/// What is sent to create a payment.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub numcli: String,
    pub exer: String,
    pub refdet: String,
    pub montant: i64,
    pub mel: String,
    pub objet: String,
    pub saisie: String,
    pub urlnotif: String,
    pub urlredirect: String,
}

/// The result of a payment, as PayFiP reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub numcli: String,
    pub exer: String,
    pub refdet: String,
    pub montant: i64,
    pub resultrans: String,
    pub numauto: String,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: &str, timeout_seconds: u64) -> Client {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_seconds))
            .connect_timeout(Duration::from_secs(timeout_seconds))
            .build()
            .expect("an HTTP client");
        Client {
            http,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// The page the payer's browser is sent to.
    pub fn payment_page(&self, id_op: &str) -> String {
        format!("{}/tpa/paiementws.web?idop={id_op}", self.base)
    }

    /// `creerPaiementSecurise`: the `idOp` of a new payment.
    pub async fn create(&self, p: &NewPayment) -> Result<String, PayfipError> {
        let fields = [
            ("exer", p.exer.as_str()),
            ("mel", p.mel.as_str()),
            ("montant", &p.montant.to_string()),
            ("numcli", p.numcli.as_str()),
            ("objet", p.objet.as_str()),
            ("refdet", p.refdet.as_str()),
            ("saisie", p.saisie.as_str()),
            ("urlnotif", p.urlnotif.as_str()),
            ("urlredirect", p.urlredirect.as_str()),
        ]
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", escape(v)))
        .collect::<String>();
        let body = self.call("creerPaiementSecurise", &fields).await?;
        element(&body, "idOp")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| PayfipError::Unreachable("no idOp in the answer".into()))
    }

    /// `recupererDetailPaiementSecurise`: the result of payment `id_op`.
    pub async fn detail(&self, id_op: &str) -> Result<Detail, PayfipError> {
        let body = self
            .call(
                "recupererDetailPaiementSecurise",
                &format!("<idOp>{}</idOp>", escape(id_op)),
            )
            .await?;
        let get = |name: &str| element(&body, name).unwrap_or_default();
        let resultrans = get("resultrans");
        if resultrans.is_empty() {
            return Err(PayfipError::Unreachable(
                "no resultrans in the answer".into(),
            ));
        }
        Ok(Detail {
            numcli: get("numcli"),
            exer: get("exer"),
            refdet: get("refdet"),
            montant: get("montant").parse().unwrap_or(-1),
            resultrans,
            numauto: get("numauto"),
        })
    }

    async fn call(&self, operation: &str, arguments: &str) -> Result<String, PayfipError> {
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:pai=\"{SERVICE_NS}\">\
             <soapenv:Header/><soapenv:Body><pai:{operation}><arg0>{arguments}</arg0></pai:{operation}></soapenv:Body></soapenv:Envelope>"
        );
        let response = self
            .http
            .post(format!("{}/tpa/services/securite", self.base))
            .header("content-type", "text/xml; charset=utf-8")
            .header("soapaction", "\"\"")
            .body(envelope)
            .send()
            .await
            .map_err(|e| PayfipError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| PayfipError::Unreachable(e.to_string()))?;
        if body.contains("Fault>") {
            return Err(match element(&body, "code").as_deref() {
                Some("P1") => PayfipError::UnknownOperation,
                Some("P5") => PayfipError::NoResultYet,
                Some(code) => PayfipError::Refused(code.to_string()),
                None => PayfipError::Unreachable(format!("SOAP fault, HTTP {status}")),
            });
        }
        if !status.is_success() {
            return Err(PayfipError::Unreachable(format!("HTTP {status}")));
        }
        Ok(body)
    }
}

/// `objet`: ASCII letters, digits and spaces, 100 characters at most (accents stripped).
pub fn objet(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'À' | 'Â' => 'A',
            'É' | 'È' | 'Ê' => 'E',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of the first element named `name`, whatever its namespace prefix.
fn element(xml: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = xml[from..].find(&format!("{name}>")) {
        let at = from + found;
        let before = &xml[..at];
        let open = before.rfind('<')?;
        let tag = &before[open + 1..];
        let is_open_tag = !tag.starts_with('/')
            && (tag.is_empty() || (tag.ends_with(':') && !tag.contains(char::is_whitespace)));
        let start = at + name.len() + 1;
        if is_open_tag {
            let end = xml[start..].find("</")?;
            return Some(unescape(xml[start..start + end].trim()));
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_whatever_their_prefix() {
        let xml = "<S:Envelope><S:Body><ns2:r><return><idOp>abc&amp;1</idOp><ns3:code>P5</ns3:code></return></ns2:r></S:Body></S:Envelope>";
        assert_eq!(element(xml, "idOp").as_deref(), Some("abc&1"));
        assert_eq!(element(xml, "code").as_deref(), Some("P5"));
        assert_eq!(element(xml, "numauto"), None);
    }

    #[test]
    fn the_objet_is_plain_ascii_of_at_most_100_characters() {
        assert_eq!(
            objet("Facture FAC-2026-000001 — Régie"),
            "Facture FAC 2026 000001 Regie"
        );
        assert_eq!(objet(&"é".repeat(150)).len(), 100);
    }
}
