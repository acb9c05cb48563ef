//! The real `portail serve` binary on a free port, with the test database and Redis, stopped
//! with SIGTERM as an orchestrator stops it.

use super::{database_url, redis_url};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Served {
    child: Child,
    pub port: u16,
}

impl Served {
    /// Starts it with this grace period (`SHUTDOWN_GRACE_SECONDS`) and these arguments after
    /// `serve` (e.g. `--test-clock`); returns once it listens.
    pub fn start(grace_seconds: u32, args: &[&str]) -> Self {
        let port = super::throwaway_redis::free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_portail"))
            .arg("serve")
            .args(args)
            .env("DATABASE_URL", database_url())
            .env("REDIS_URL", redis_url())
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", "http://portail.test")
            .env("EXTRA_HOSTS", "127.0.0.1")
            .env("SHUTDOWN_GRACE_SECONDS", grace_seconds.to_string())
            // Tests run side by side on one database: this one sends no other test's mail.
            .env("MAIL_SWEEP_SECONDS", "0")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        for line in &mut lines {
            if line.unwrap().contains("portail listening") {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Served { child, port }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until the port refuses connections (the listener is closed), and returns that
    /// error.
    pub fn wait_until_refused(&self) -> std::io::Error {
        let started = Instant::now();
        loop {
            match std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                Err(e) => return e,
                Ok(_) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(5),
                        "port {} still accepts connections after SIGTERM",
                        self.port
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    /// Whether it still runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Its exit status, if it exits within `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
