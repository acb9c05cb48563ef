//! A Redis of the test's own, on a free port, that the test may stop and start again: never
//! the shared one.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ThrowawayRedis {
    pub port: u16,
    child: Option<Child>,
    /// Where [`shutdown_saving`](Self::shutdown_saving) writes its data, read back on restart.
    dir: std::path::PathBuf,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a Redis answers PING on `port`.
pub fn answers_ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

impl ThrowawayRedis {
    /// Starts one on a free port and returns once it answers PING.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("portail-redis-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Self {
            port: free_port(),
            child: None,
            dir,
        };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on the same port, and waits until it answers PING.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            // An outside service: under libfaketime (runs with a moved clock) it keeps the
            // machine's time, like the shared PostgreSQL and Redis.
            .env_remove("LD_PRELOAD")
            .spawn()
            .expect("redis-server is installed by scripts/test");
        self.child = Some(child);
        let started = Instant::now();
        while !answers_ping(self.port) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server on port {} never answered PING",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops it for real; returns once the port refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        assert!(
            TcpStream::connect(("127.0.0.1", self.port)).is_err(),
            "port {} still accepts connections",
            self.port
        );
    }
}

impl ThrowawayRedis {
    /// Stops it as an administrator would for maintenance (`SHUTDOWN SAVE`): its data is on
    /// disk and [`restart`](Self::restart) reads it back.
    pub fn shutdown_saving(&mut self) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(b"SHUTDOWN SAVE\r\n").unwrap();
        if let Some(mut child) = self.child.take() {
            child.wait().unwrap();
        }
        assert!(self.dir.join("dump.rdb").exists(), "nothing saved");
    }
}

impl Drop for ThrowawayRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
