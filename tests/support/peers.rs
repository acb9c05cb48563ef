//! The local protocol peers of tests/peers (Node.js): an SMTP sink whose mails are read back
//! from its folder.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

#[derive(Debug, serde::Deserialize, Clone)]
pub struct SinkMail {
    pub file: String,
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// On a given port (0: any free one), e.g. where the portal's `SMTP_URL` already points.
    pub fn start_on(port: u16) -> Self {
        let dir =
            std::env::temp_dir().join(format!("portail-sink-{}", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new("node")
            .arg(super::root().join("tests/peers/smtp-sink.mjs"))
            .env("SMTP_PORT", port.to_string())
            .env("MAIL_DIR", &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/peers (npm ci --prefix tests/peers)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("SMTP_SINK_READY port=")
            .unwrap_or_else(|| panic!("unexpected sink output: {line:?}"))
            .parse()
            .unwrap();
        SmtpSink { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<SinkMail> {
        std::fs::read_to_string(self.dir.join("index.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for the `n`-th mail to `to` (counting from 1).
    pub async fn wait_for(&self, to: &str, n: usize) -> SinkMail {
        let started = Instant::now();
        loop {
            let mine: Vec<_> = self
                .mails()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
                .collect();
            if mine.len() >= n {
                return mine[n - 1].clone();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no mail #{n} to {to} after 10 s: {:?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn raw(&self, mail: &SinkMail) -> String {
        std::fs::read_to_string(self.dir.join(&mail.file)).unwrap()
    }

    pub fn refuse(&self, on: bool) {
        let flag = self.dir.join(".refuse");
        if on {
            std::fs::write(flag, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The link a mail's text part carries to `path`.
pub fn link_in(mail: &SinkMail, prefix: &str) -> String {
    let text = mail.text.clone().unwrap_or_default();
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// The OpenID Connect provider of tests/peers, with one client and the accounts `alice` and
/// `bob`.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl OidcProvider {
    pub fn start(client_id: &str, secret: &str, redirect_uris: &[String]) -> Self {
        let mut child = Command::new("node")
            .arg(super::root().join("tests/peers/oidc-provider.mjs"))
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENT_ID", client_id)
            .env("OIDC_CLIENT_SECRET", secret)
            .env("OIDC_REDIRECT_URIS", redirect_uris.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/peers");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let issuer = line
            .trim()
            .strip_prefix("OIDC_PROVIDER_READY issuer=")
            .unwrap_or_else(|| panic!("unexpected provider output: {line:?}"))
            .to_string();
        OidcProvider { child, issuer }
    }

    /// Signs `login` in at the provider, starting from its authorization URL, with a client
    /// that keeps cookies and follows no redirect; returns where the provider sends back.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        authorize_url: &str,
        login: &str,
    ) -> String {
        let location =
            |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_string();
        let r = client.get(authorize_url).send().await.unwrap();
        assert_eq!(r.status(), 303, "authorize");
        let interaction = location(&r);
        let interaction = if interaction.starts_with('/') {
            format!("{}{interaction}", self.issuer)
        } else {
            interaction
        };
        let r = client
            .post(format!("{interaction}/login"))
            .form(&[("login", login)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "login");
        let resume = location(&r);
        let r = client.get(&resume).send().await.unwrap();
        assert_eq!(r.status(), 303, "resume");
        location(&r)
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The local PayFiP fake of tests/peers: its SOAP service, payment page and test controls.
pub struct PayfipFake {
    child: Child,
    pub port: u16,
}

impl PayfipFake {
    pub fn start() -> Self {
        let mut child = Command::new("node")
            .arg(super::root().join("tests/peers/payfip-fake.mjs"))
            .env("PAYFIP_PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/peers/payfip-fake.mjs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PAYFIP_FAKE_READY port=")
            .unwrap_or_else(|| panic!("unexpected fake output: {line:?}"))
            .parse()
            .unwrap();
        PayfipFake { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets the result PayFiP will report for `id_op` (with `overrides` of what it echoes,
    /// e.g. a forged `montant`), without notifying.
    pub async fn set_result(&self, id_op: &str, resultrans: &str, overrides: serde_json::Value) {
        let mut body = serde_json::json!({ "idOp": id_op, "resultrans": resultrans });
        if let (Some(b), Some(o)) = (body.as_object_mut(), overrides.as_object()) {
            b.extend(o.clone());
        }
        let r = reqwest::Client::new()
            .post(format!("{}/fake/result", self.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
}

impl Drop for PayfipFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
